package sim

import (
	"fmt"

	"github.com/pwreset/pwreset/ports"
)

// errWriteRefused stands for a write the store refused outright (a validation
// rule, a missing privilege): it surely did not apply.
var errWriteRefused = fmt.Errorf("sim: the store refused the write: %w", ports.ErrWriteRefused)

func refused(call string) error { return fmt.Errorf("sim: %s: %w", call, errWriteRefused) }
