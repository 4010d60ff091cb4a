package http

import (
	"context"
	"log/slog"
	"net"
	stdhttp "net/http"
	"time"
)

// Server serves a handler over HTTP/1.1 the way the API answers: the answers Go's
// server writes on its own (a missing Host, headers too large, an unknown transfer
// coding) carry the same headers and a JSON body too, and a request with both
// Content-Length and Transfer-Encoding, or with a folded header, is refused.
type Server struct {
	http *stdhttp.Server
	log  *slog.Logger
}

// NewServer returns a Server for handler, with timeouts that keep slow or stuck
// clients from holding connections open for ever.
func NewServer(handler stdhttp.Handler, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	return &Server{log: log, http: &stdhttp.Server{
		Handler:           framed(handler),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// The handler finds the connection, and what its requests' heads said, here.
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if c, ok := c.(*conn); ok {
				return context.WithValue(ctx, connKey{}, c)
			}
			return ctx
		},
	}}
}

// framed tells the handler which requests conn refused, and why, and closes the
// connection after a request with a Transfer-Encoding: conn does not follow chunked
// bodies, so no later head may pass unseen.
func framed(next stdhttp.Handler) stdhttp.Handler {
	return stdhttp.HandlerFunc(func(w stdhttp.ResponseWriter, r *stdhttp.Request) {
		if len(r.TransferEncoding) > 0 {
			w.Header().Set("Connection", "close")
		}
		if c, ok := r.Context().Value(connKey{}).(*conn); ok {
			if why := c.next(); why != nil {
				w.Header().Set("Connection", "close")
				r = r.WithContext(context.WithValue(r.Context(), refusedKey{}, why))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// WriteTimeout is the longest a request may take, from the end of its head to the
// end of its answer; any wait inside it (the hash queue's) must be shorter.
const WriteTimeout = 30 * time.Second

// maxHeaderBytes bounds a request's head; the real ones are well under 2 KiB.
const maxHeaderBytes = 16 << 10

// Serve accepts connections on ln and serves them until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	return s.http.Serve(&listener{Listener: ln, log: s.log})
}

// Shutdown stops accepting and waits, within ctx, for the requests in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.http.Shutdown(ctx)
}

// listener hands out connections that watch what goes over them.
type listener struct {
	net.Listener
	log *slog.Logger
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c, log: l.log}, nil
}

// connKey is the context key of the request's connection.
type connKey struct{}
