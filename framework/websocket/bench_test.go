package websocket

import "testing"

// BenchmarkDecodeSmall decodes a masked 32-byte text frame, as a server
// reads a small chat message.
func BenchmarkDecodeSmall(b *testing.B) {
	frame := cf(true, 0, OpText, []byte("hello, this is a short message!!"))
	buf := make([]byte, len(frame))
	d := &Decoder{Role: Server, MaxMessage: 1 << 20}
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, frame)
		if _, _, err := d.Frame(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode64K decodes a masked 64 KiB text frame: unmasking and
// UTF-8 validation at full speed.
func BenchmarkDecode64K(b *testing.B) {
	p := make([]byte, 64<<10)
	for i := range p {
		p[i] = 'a' + byte(i%26)
	}
	frame := cf(true, 0, OpText, p)
	buf := make([]byte, len(frame))
	d := &Decoder{Role: Server}
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		copy(buf, frame)
		if _, _, err := d.Frame(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeSmall appends a 32-byte server text frame to a reused
// buffer.
func BenchmarkEncodeSmall(b *testing.B) {
	p := []byte("hello, this is a short message!!")
	buf := make([]byte, 0, 64)
	b.SetBytes(int64(len(p) + 2))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendFrame(buf[:0], OpText, true, p)
	}
}
