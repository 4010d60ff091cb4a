package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	stdhttp "net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/labstack/echo/v5"
)

// Body limits per endpoint. A send-link body is a login or an address: a few
// hundred bytes. A reset body carries a password, which django-rest-registration
// takes at any length (Django sets none; a 5,000-character one resets there): 64 KiB
// holds 5,000 characters even as JSON escapes of surrogate pairs (12 bytes each),
// so that such a password reaches the policy and the hasher here too.
const (
	maxSendBody  = 4 << 10
	maxResetBody = 64 << 10
)

// parsedTypes are the media types DRF's default parsers take.
var parsedTypes = []string{echo.MIMEApplicationJSON, echo.MIMEApplicationForm, echo.MIMEMultipartForm}

// body is a request body as DRF's parsers leave it: a JSON object (numbers kept as
// written, in json.Number), or a form with each field's last value (QueryDict).
type body map[string]any

// errNoContentType is a body sent without saying what it is.
var errNoContentType = errors.New("request body without a Content-Type")

// mediaTypeError is a body of a type that is not parsed.
type mediaTypeError struct {
	contentType string
}

func (e *mediaTypeError) Error() string { return "unsupported media type " + e.contentType }

// parseError is a body that does not parse as its type says.
type parseError struct {
	format string // "JSON", "Multipart form": DRF's names
	err    error
}

func (e *parseError) Error() string { return e.format + " parse error: " + e.err.Error() }

// unreadableError is a body that could not be read to its end.
type unreadableError struct{ err error }

func (e *unreadableError) Error() string { return "read request body: " + e.err.Error() }

// readBody reads and parses the request body. Endpoints call it only once the method
// and the workflow switch are checked: DRF parses lazily, so those answers come first.
// A body over limit bytes is a *http.MaxBytesError.
func readBody(c *echo.Context, limit int64) (body, error) {
	req := c.Request()
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer putBodyBuffer(buf)
	_, err := buf.ReadFrom(stdhttp.MaxBytesReader(c.Response(), req.Body, limit))
	raw := buf.Bytes() // parsed before it goes back: what the body keeps is copied
	var tooLarge *stdhttp.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, err
	}
	if err != nil {
		// The client hung up or sent a broken chunked body: its fault, not ours.
		return nil, &unreadableError{err}
	}
	if len(raw) == 0 {
		return body{}, nil // DRF: no body is no data, whatever the type says
	}
	contentType := req.Header.Get(echo.HeaderContentType)
	if contentType == "" {
		return nil, errNoContentType
	}
	if contentType == echo.MIMEApplicationJSON {
		return parseJSON(raw) // what front ends send, as is: nothing to parse in it
	}
	// A malformed parameter still yields the media type, which is what DRF matches on.
	mediaType, params, _ := mime.ParseMediaType(contentType)
	switch mediaType {
	case echo.MIMEApplicationJSON:
		return parseJSON(raw)
	case echo.MIMEApplicationForm:
		return parseForm(raw), nil
	case echo.MIMEMultipartForm:
		return parseMultipart(raw, params["boundary"])
	}
	return nil, &mediaTypeError{contentType: contentType}
}

// bodyBuffers hold request bodies while they are parsed.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putBodyBuffer returns buf to bodyBuffers, unless a large body grew it: a pool of
// such buffers would keep memory that small bodies never need.
func putBodyBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= maxSendBody {
		buf.Reset()
		bodyBuffers.Put(buf)
	}
}

func parseJSON(raw []byte) (body, error) {
	// Python refuses what is not UTF-8; Go would quietly turn it into U+FFFD, which
	// in a password would set one the user never typed.
	if !utf8.Valid(raw) {
		return nil, &parseError{format: "JSON", err: errors.New("invalid UTF-8")}
	}
	// Valid checks the whole input, trailing garbage included; Unmarshal says what
	// is wrong; the Decoder then reads it again, keeping numbers as written.
	if !json.Valid(raw) {
		err := json.Unmarshal(raw, new(json.RawMessage))
		return nil, &parseError{format: "JSON", err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &parseError{format: "JSON", err: err}
	}
	b, err := asObject(v)
	if err != nil {
		return nil, err
	}
	markSurrogates(raw, b)
	return b, nil
}

// asObject refuses a JSON body that is not an object, as a DRF serializer does.
func asObject(v any) (body, error) {
	switch v := v.(type) {
	case map[string]any:
		return v, nil
	case nil:
		return nil, fieldErrors{nonFieldErrors: {msgNoData}}
	}
	return nil, fieldErrors{nonFieldErrors: {fmt.Sprintf(msgNotDict, pythonType(v))}}
}

// pythonType names the type Python's json module gives v.
func pythonType(v any) string {
	switch v := v.(type) {
	case []any:
		return "list"
	case string:
		return "str"
	case bool:
		return "bool"
	case json.Number:
		if strings.ContainsAny(v.String(), ".eE") {
			return "float"
		}
		return "int"
	}
	return fmt.Sprintf("%T", v)
}

// parseForm reads a form as Django's QueryDict does (Python's parse_qsl, blank values
// kept): fields split on "&" only, "+" is a space, a "%" without two hex digits after
// it is kept as is, and nothing is refused. Go's url.ParseQuery would drop a field
// holding "100%" or ";", which curl -d sends as typed.
func parseForm(raw []byte) body {
	s := string(raw)
	if !utf8.ValidString(s) {
		s = latin1(raw) // Django: "some user agents are misbehaving"
	}
	values := map[string][]string{}
	for field := range strings.SplitSeq(s, "&") {
		if field == "" {
			continue
		}
		name, value, _ := strings.Cut(field, "=")
		name, value = pyUnquote(strings.ReplaceAll(name, "+", " ")), pyUnquote(strings.ReplaceAll(value, "+", " "))
		values[name] = append(values[name], value)
	}
	return lastValues(values)
}

func parseMultipart(raw []byte, boundary string) (body, error) {
	if boundary == "" {
		return nil, &parseError{format: "Multipart form", err: errors.New("no boundary in the Content-Type")}
	}
	form, err := multipart.NewReader(bytes.NewReader(raw), boundary).ReadForm(maxResetBody)
	if err != nil {
		return nil, &parseError{format: "Multipart form", err: err}
	}
	defer form.RemoveAll()
	return lastValues(form.Value), nil
}

// lastValues keeps the last value of each field, as QueryDict's item access does, and
// decodes bytes that are not UTF-8 the way Django does (as U+FFFD, pyDecode).
func lastValues(values map[string][]string) body {
	b := body{}
	for name, vs := range values {
		if len(vs) > 0 {
			b[name] = pyDecode(vs[len(vs)-1])
		}
	}
	return b
}
