package mongotest

import (
	endian "encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Serial is a MongoDB wire-protocol proxy that lets one command at a time reach
// the server behind it. FerretDB v1 runs an update, findAndModify or delete as a
// query followed by a write, so two clients can both match one old state; MongoDB
// applies each single-document write atomically. Through Serial, each command
// runs alone from start to answer, which is that guarantee: tests of what MongoDB
// promises then hold on FerretDB too. Only the commands of the connections' own
// upkeep (hello, heartbeats) pass at any time, so that a monitor waiting for a
// topology change does not hold the turn.
//
// Serial can also answer a chosen command itself with a server error, without
// passing it on (Refuse): the way a server refuses a write it will never apply.
type Serial struct {
	ln       net.Listener
	upstream string
	turn     sync.Mutex // held from a command's forwarding until its answer

	mu       sync.Mutex
	refuse   []refusal
	record   bool
	recorded []bson.Raw
	conns    map[net.Conn]bool
	closed   bool
	serving  sync.WaitGroup
}

// refusal is an armed Refuse.
type refusal struct {
	cmd, coll string
	code      int
}

// NewSerial starts a proxy to the MongoDB server at upstream (host:port) on a free
// local port. Close stops it.
func NewSerial(upstream string) (*Serial, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("mongotest: serial proxy: %w", err)
	}
	s := &Serial{ln: ln, upstream: upstream, conns: map[net.Conn]bool{}}
	s.serving.Add(1)
	go s.accept()
	return s, nil
}

// URI returns the proxy's MongoDB URI. directConnection keeps the driver from
// looking past the proxy for the servers a replica set names.
func (s *Serial) URI() string {
	return "mongodb://" + s.ln.Addr().String() + "/?directConnection=true"
}

// Refuse makes the proxy answer the next command cmd on collection coll (such as
// "update", "users") itself, with a write error of code (121, a document that
// fails validation; 13, unauthorized), as the server would answer a write it
// refused: nothing reaches the server.
func (s *Serial) Refuse(cmd, coll string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = append(s.refuse, refusal{cmd, coll, code})
}

// Record makes the proxy keep every command document it passes on from now, for
// Recorded: for tests of what a client sends (a write concern, say).
func (s *Serial) Record() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record = true
}

// Recorded returns the command documents passed on since Record, upkeep aside.
func (s *Serial) Recorded() []bson.Raw {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bson.Raw(nil), s.recorded...)
}

// keep records msg's command document if recording.
func (s *Serial) keep(msg []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if doc, err := body(msg); s.record && err == nil {
		s.recorded = append(s.recorded, append(bson.Raw(nil), doc...))
	}
}

// Close stops accepting, closes every connection, and waits for them to end.
func (s *Serial) Close() error {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	err := s.ln.Close()
	s.serving.Wait()
	return err
}

func (s *Serial) accept() {
	defer s.serving.Done()
	for {
		client, err := s.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", s.upstream)
		if err != nil {
			_ = client.Close() // the driver sees the server as down, as it is
			continue
		}
		if !s.track(client, server) {
			return
		}
		s.serving.Add(1)
		go s.serve(client, server)
	}
}

// track registers a connection pair for Close; false once closed.
func (s *Serial) track(conns ...net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		for _, c := range conns {
			_ = c.Close()
		}
		return false
	}
	for _, c := range conns {
		s.conns[c] = true
	}
	return true
}

// serve relays one client connection: each command in turn, holding the turn
// from its forwarding until its answer comes back (see answers).
func (s *Serial) serve(client, server net.Conn) {
	defer s.serving.Done()
	var waiting atomic.Bool // a command of this connection holds the turn
	release := func() {
		if waiting.CompareAndSwap(true, false) {
			s.turn.Unlock()
		}
	}
	defer func() {
		_ = client.Close()
		_ = server.Close()
		release()
		s.mu.Lock()
		delete(s.conns, client)
		delete(s.conns, server)
		s.mu.Unlock()
	}()
	go s.answers(server, client, release)
	for {
		msg, err := readMessage(client)
		if err != nil {
			return
		}
		name, coll := command(msg)
		if name == "" || upkeep[name] {
			if _, err := server.Write(msg); err != nil {
				return
			}
			continue
		}
		if code, ok := s.refused(name, coll); ok {
			if _, err := client.Write(writeError(msg, code)); err != nil {
				return
			}
			continue
		}
		s.keep(msg)
		s.turn.Lock()
		waiting.Store(true)
		if _, err := server.Write(msg); err != nil {
			return
		}
	}
}

// answers copies the server's messages to the client. An answer means the
// command it answers has run: release gives the turn on. A driver has one
// command in flight on a connection (the streamed answers of a monitor's hello
// hold no turn), so the answer is that of the command holding the turn.
func (s *Serial) answers(server, client net.Conn, release func()) {
	defer client.Close()
	defer server.Close()
	defer release()
	for {
		msg, err := readMessage(server)
		if err != nil {
			return
		}
		release()
		if _, err := client.Write(msg); err != nil {
			return
		}
	}
}

// refused returns the code of an armed refusal that cmd on coll matches, and
// disarms it.
func (s *Serial) refused(cmd, coll string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.refuse {
		if r.cmd == cmd && r.coll == coll {
			s.refuse = append(s.refuse[:i], s.refuse[i+1:]...)
			return r.code, true
		}
	}
	return 0, false
}

// upkeep names the commands of a connection's own upkeep, which pass at any time.
var upkeep = map[string]bool{"hello": true, "isMaster": true, "ismaster": true, "ping": true,
	"saslStart": true, "saslContinue": true, "buildInfo": true, "endSessions": true}

// Wire protocol: a message is a 16-byte header (length, request id, response to,
// op code, little-endian int32s) and a body. OP_MSG (2013) holds flag bits, then
// sections; a section of kind 0 is the command document.
const (
	headerLen = 16
	opMsg     = 2013
	maxMsgLen = 48 << 20
)

// readMessage reads one whole wire message.
func readMessage(r io.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := int(int32(endian.LittleEndian.Uint32(head[:])))
	if n < headerLen || n > maxMsgLen {
		return nil, fmt.Errorf("mongotest: serial proxy: message of %d bytes", n)
	}
	msg := make([]byte, n)
	copy(msg, head[:])
	_, err := io.ReadFull(r, msg[4:])
	return msg, err
}

// command returns the name of the command an OP_MSG carries, and the collection
// it names (when its value is a string); "" for other messages.
func command(msg []byte) (name, coll string) {
	doc, err := body(msg)
	if err != nil {
		return "", ""
	}
	elems, err := doc.Elements()
	if err != nil || len(elems) == 0 {
		return "", ""
	}
	coll, _ = elems[0].Value().StringValueOK()
	return elems[0].Key(), coll
}

// body returns the command document of an OP_MSG.
func body(msg []byte) (bson.Raw, error) {
	if len(msg) < headerLen+5 || endian.LittleEndian.Uint32(msg[12:]) != opMsg {
		return nil, errors.New("not an OP_MSG")
	}
	// Kind-1 sections (document sequences) may come first; find the kind-0 one.
	for p := headerLen + 4; p < len(msg); {
		kind := msg[p]
		p++
		if p+4 > len(msg) {
			break
		}
		size := int(int32(endian.LittleEndian.Uint32(msg[p:])))
		if size < 4 || p+size > len(msg) {
			break
		}
		if kind == 0 {
			return bson.Raw(msg[p : p+size]), nil
		}
		p += size
	}
	return nil, errors.New("no command document")
}

// writeError is the answer to request msg of a server that refused its write
// with code: ok, nothing written, one write error, as MongoDB answers a document
// that fails validation.
func writeError(msg []byte, code int) []byte {
	doc, err := bson.Marshal(bson.D{
		{Key: "n", Value: int32(0)},
		{Key: "nModified", Value: int32(0)},
		{Key: "writeErrors", Value: bson.A{bson.D{
			{Key: "index", Value: int32(0)},
			{Key: "code", Value: int32(code)},
			{Key: "errmsg", Value: fmt.Sprintf("refused by the mongotest proxy (code %d)", code)},
		}}},
		{Key: "ok", Value: 1.0},
	})
	if err != nil {
		panic(err) // a fixed document always marshals
	}
	out := make([]byte, headerLen+4+1+len(doc))
	endian.LittleEndian.PutUint32(out[0:], uint32(len(out)))
	endian.LittleEndian.PutUint32(out[4:], endian.LittleEndian.Uint32(msg[4:])+1<<30)
	endian.LittleEndian.PutUint32(out[8:], endian.LittleEndian.Uint32(msg[4:])) // responseTo
	endian.LittleEndian.PutUint32(out[12:], opMsg)
	out[headerLen+4] = 0 // flag bits stay 0; section kind 0
	copy(out[headerLen+5:], doc)
	return out
}
