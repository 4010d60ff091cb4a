package reset_test

import (
	"context"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/mocks"
	"github.com/pwreset/pwreset/ports"
)

// expectMail expects one message to be stored through queue to be sent, which
// answers with id, and returns where the message will be once stored.
func expectMail(queue *mocks.MockOutbox, id string) *ports.Message {
	var sent ports.Message
	queue.EXPECT().AddLimited(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, m ports.LimitedMessage, _ time.Time) (string, int, error) {
			sent = m.Message
			return id, -1, nil
		})
	return &sent
}
