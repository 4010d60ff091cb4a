package reset

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/pwreset/pwreset/ports"
)

// heldID is a new outbox id for a message a change holds (ports.Message.ID): chosen
// here, before the hold is written, so that a hold whose answer is lost can still
// be withdrawn by it. 128 random bits from Config.Rand; the '_' marks it as chosen.
func (r *Resetter) heldID() (string, error) {
	src := r.cfg.Rand
	if src == nil {
		src = rand.Reader
	}
	b := make([]byte, 16)
	if _, err := io.ReadFull(src, b); err != nil {
		return "", fmt.Errorf("choose the id of a held message: %w", err)
	}
	return "held_" + hex.EncodeToString(b), nil
}

// requeueID is the outbox id of the message that requeues failed: the same for
// every `pwreset outbox retry` of that failure, so that runs racing on one dead
// letter store one message. A later failure of the requeued message (another id,
// another time) is a new dead letter, and requeues under a new id.
func requeueID(failed ports.Envelope) string {
	sum := sha256.Sum256([]byte(failed.ID + "\x00" + strconv.Itoa(failed.Attempts) + "\x00" +
		failed.FinishedAt.UTC().Format(time.RFC3339Nano)))
	return "retry_" + hex.EncodeToString(sum[:16])
}
