package reset_test

import (
	"context"

	"go.uber.org/mock/gomock"

	"github.com/pwreset/pwreset/mocks"
	"github.com/pwreset/pwreset/ports"
)

// expectMail expects one message on mailer, which answers with id, and returns where
// the message will be once sent.
func expectMail(mailer *mocks.MockMailer, id string) *ports.Message {
	var sent ports.Message
	mailer.EXPECT().Send(gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, m ports.Message) (string, error) { sent = m; return id, nil })
	return &sent
}
