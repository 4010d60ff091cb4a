package sendgridtest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"
)

// sendPath is the only endpoint the server knows.
const sendPath = "/v3/mail/send"

// maxBody is SendGrid's limit on a whole request, 30 MB.
const maxBody = 30 << 20

// handle answers one request: delay, then a requested failure, then SendGrid's own
// checks, then acceptance.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
	s.mu.Lock()
	if s.closed {
		// Close may already be waiting on running; adding to it now is not allowed.
		s.mu.Unlock()
		return
	}
	s.attempts++
	delay := s.delay
	s.running.Add(1) // Close waits for answers in flight
	s.mu.Unlock()
	defer s.running.Done()

	if delay > 0 && !wait(r, stop, delay) {
		// Returning would send an empty 200; aborting cuts the connection unanswered.
		panic(http.ErrAbortHandler)
	}
	if r.Method != http.MethodPost || r.URL.Path != sendPath {
		writeErrors(w, http.StatusNotFound, nil, APIError{Message: "not found"})
		return
	}
	if f, ok := s.takeFailure(); ok {
		writeErrors(w, f.status, f.header, f.errs...)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+APIKey {
		writeErrors(w, http.StatusUnauthorized, nil,
			APIError{Message: "The provided authorization grant is invalid, expired, or revoked"})
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeErrors(w, http.StatusUnsupportedMediaType, nil,
			APIError{Message: "Content-Type should be application/json."})
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeErrors(w, http.StatusRequestEntityTooLarge, nil, APIError{Message: "request too large"})
		return
	}
	var body mailBody
	if err := json.Unmarshal(raw, &body); err != nil {
		writeErrors(w, http.StatusBadRequest, nil, APIError{Message: "Bad Request"})
		return
	}
	if errs := body.check(); len(errs) > 0 {
		writeErrors(w, http.StatusBadRequest, nil, errs...)
		return
	}
	id, cut := s.record(body)
	w.Header().Set("X-Message-Id", id)
	if cut {
		// The status line and headers go out, the promised body never does.
		w.Header().Set("Content-Length", "64")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte("{"))
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
	w.WriteHeader(http.StatusAccepted)
}

// record keeps an accepted message and returns the id it was given, and whether
// its answer is to be cut (SetCutAfterAccept).
func (s *Server) record(body mailBody) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprintf("sendgridtest-%d", len(s.messages)+1)
	s.messages = append(s.messages, Message{Message: body.message(), ID: id})
	return id, s.cut
}

// wait sleeps for d and reports whether the request should still be answered: not
// when its client gave up or the server went down meanwhile.
func wait(r *http.Request, stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-stop:
		return false
	}
}

// writeErrors answers status with header and SendGrid's {"errors": [...]} body.
func writeErrors(w http.ResponseWriter, status int, header http.Header, errs ...APIError) {
	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Errors []APIError `json:"errors"`
	}{errs})
}
