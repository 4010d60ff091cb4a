package link

import (
	"bytes"
	"encoding/binary"
)

// Opcodes of Python's pickle protocol 4 that a list of string pairs needs.
const (
	opProto         = 0x80
	opFrame         = 0x95
	opEmptyList     = ']'
	opMemoize       = 0x94
	opMark          = '('
	opShortUnicode  = 0x8c // SHORT_BINUNICODE: 1-byte length
	opUnicode       = 'X'  // BINUNICODE: 4-byte length
	opUnicode8      = 0x8d // BINUNICODE8: 8-byte length
	opTuple2        = 0x86
	opAppend        = 'a'
	opAppends       = 'e'
	opStop          = '.'
	frameSizeMin    = 4
	frameSizeTarget = 64 * 1024
)

// picklePairs returns exactly the bytes of CPython's
// pickle.dumps([(k1, v1), (k2, v2), ...], 4) for a list of 1 to 1000 pairs of
// distinct string objects, as django-rest-registration signs them.
//
// Each string is SHORT_BINUNICODE up to 255 bytes of UTF-8, BINUNICODE above, and
// is memoized, as is each tuple and the list. The output is framed: FRAME and the
// length of what follows. A string of 64 KiB or more is written outside any frame
// (the frame before it is closed; a new one starts after it), and a frame under 4
// bytes goes without its header. CPython's C pickler, which pickle.dumps uses,
// cuts frames nowhere else in data of this shape, however big the frame grows
// (the pure-Python pickler would); TestPickleMatchesPython checks both edges.
func picklePairs(pairs [][2]string) []byte {
	var p pickler
	p.out.Write([]byte{opProto, 4})
	p.op(opEmptyList, opMemoize)
	if len(pairs) > 1 {
		p.op(opMark)
	}
	for _, kv := range pairs {
		p.str(kv[0])
		p.str(kv[1])
		p.op(opTuple2, opMemoize)
	}
	if len(pairs) > 1 {
		p.op(opAppends)
	} else {
		p.op(opAppend)
	}
	p.op(opStop)
	p.commit()
	return p.out.Bytes()
}

// pickler writes opcodes into the current frame and commits frames to out.
type pickler struct {
	out   bytes.Buffer
	frame bytes.Buffer
}

func (p *pickler) op(ops ...byte) { p.frame.Write(ops) }

// str writes a string and memoizes it, as Python's save_str does.
func (p *pickler) str(s string) {
	n := len(s) // UTF-8 bytes, the length pickle counts
	switch {
	case n <= 0xff:
		p.op(opShortUnicode, byte(n))
		p.frame.WriteString(s)
	case n >= frameSizeTarget:
		p.commit()
		if uint64(n) > 0xffffffff {
			p.out.WriteByte(opUnicode8)
			p.out.Write(binary.LittleEndian.AppendUint64(nil, uint64(n)))
		} else {
			p.out.WriteByte(opUnicode)
			p.out.Write(binary.LittleEndian.AppendUint32(nil, uint32(n)))
		}
		p.out.WriteString(s)
	default:
		p.op(opUnicode)
		p.frame.Write(binary.LittleEndian.AppendUint32(nil, uint32(n)))
		p.frame.WriteString(s)
	}
	p.op(opMemoize)
}

// commit moves the current frame to out, with its FRAME header if it is big
// enough to have one.
func (p *pickler) commit() {
	if p.frame.Len() >= frameSizeMin {
		p.out.WriteByte(opFrame)
		p.out.Write(binary.LittleEndian.AppendUint64(nil, uint64(p.frame.Len())))
	}
	p.out.Write(p.frame.Bytes())
	p.frame.Reset()
}
