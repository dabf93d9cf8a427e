package frameworktest

import (
	"bytes"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// memConn is an in-memory net.Conn: reads come from a fixed input and
// writes are collected. At the end of the input, a read with a deadline
// returns io.EOF, as if the client had closed its side; a read without a
// deadline (the client-gone watch) waits until its deadline is moved or
// the connection is closed, as a quiet client would.
type memConn struct {
	in  []byte
	out bytes.Buffer

	mu     sync.Mutex
	wake   chan struct{}
	dead   time.Time
	closed bool
}

func (m *memConn) Read(p []byte) (int, error) {
	m.mu.Lock()
	if len(m.in) > 0 {
		n := copy(p, m.in)
		m.in = m.in[n:]
		m.mu.Unlock()
		return n, nil
	}
	for !m.closed && m.dead.IsZero() {
		if m.wake == nil {
			m.wake = make(chan struct{})
		}
		w := m.wake
		m.mu.Unlock()
		<-w
		m.mu.Lock()
	}
	defer m.mu.Unlock()
	if m.closed {
		return 0, net.ErrClosed
	}
	if !m.dead.After(time.Now()) {
		return 0, os.ErrDeadlineExceeded
	}
	return 0, io.EOF
}

func (m *memConn) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, net.ErrClosed
	}
	return m.out.Write(p)
}

func (m *memConn) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.signal()
	return nil
}

func (m *memConn) signal() {
	if m.wake != nil {
		close(m.wake)
		m.wake = nil
	}
}

func (m *memConn) SetDeadline(t time.Time) error { return m.SetReadDeadline(t) }

func (m *memConn) SetReadDeadline(t time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dead = t
	m.signal()
	return nil
}

func (m *memConn) SetWriteDeadline(time.Time) error { return nil }
func (m *memConn) LocalAddr() net.Addr              { return memAddr{} }
func (m *memConn) RemoteAddr() net.Addr             { return memAddr{} }

type memAddr struct{}

func (memAddr) Network() string { return "memory" }
func (memAddr) String() string  { return "192.0.2.1:1234" }
