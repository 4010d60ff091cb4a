package reset_test

import (
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// What app wires is a reset.Outbox, and so is any store: the tests hand the use
// cases either.
var (
	_ reset.Outbox = (*outbox.Queue)(nil)
	_ reset.Outbox = ports.Outbox(nil)
)
