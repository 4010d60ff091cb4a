package sim

import (
	"errors"
	"fmt"
)

// errWriteRefused stands for a write the store refused outright (a validation
// rule, a missing privilege): it surely did not apply.
var errWriteRefused = errors.New("sim: the store refused the write")

func refused(call string) error { return fmt.Errorf("sim: %s: %w", call, errWriteRefused) }
