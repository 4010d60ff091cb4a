package http

import (
	stdhttp "net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v5"
)

// TestSendAnswersAreWhatJSONWrites: the send-link answers encoded once at start
// are byte for byte, headers included, what c.JSON writes for them per request.
func TestSendAnswersAreWhatJSONWrites(t *testing.T) {
	e := echo.New()
	for _, msg := range []string{msgLinkSent, msgLinkSentIfExists} {
		want, got := httptest.NewRecorder(), httptest.NewRecorder()
		req := httptest.NewRequest(stdhttp.MethodPost, "/", nil)
		if err := e.NewContext(req, want).JSON(stdhttp.StatusOK, detail(msg)); err != nil {
			t.Fatal(err)
		}
		if err := e.NewContext(req, got).JSONBlob(stdhttp.StatusOK, sendAnswers[msg]); err != nil {
			t.Fatal(err)
		}
		if got.Body.String() != want.Body.String() || got.Code != want.Code ||
			got.Header().Get(echo.HeaderContentType) != want.Header().Get(echo.HeaderContentType) {
			t.Errorf("%q: answer %d %q %q, c.JSON writes %d %q %q", msg, got.Code, got.Header(), got.Body,
				want.Code, want.Header(), want.Body)
		}
	}
}
