package framework

import (
	"io"
	"net"
	"strconv"
	"time"
)

// Connection slots: MaxConns bounds the open connections, MaxConnsPerClient
// one address's share, and MaxStreams the long-lived streams. When no slot
// is free, the longest-idle keep-alive connection gives its slot up, as
// nginx does; a connection in a request never does.

// takeSlot waits for a free connection slot. With none free, it closes
// the longest-idle keep-alive connection, whose goroutine then frees its
// slot; only when no connection is idle does it wait for one to end. It
// reports false once the server is closing.
func (s *Server) takeSlot() bool {
	for range 3 {
		select {
		case s.slots <- struct{}{}:
			return true
		default:
		}
		if !s.evictIdle("") {
			break
		}
		// The evicted connection frees its slot as soon as its goroutine
		// sees the close; wait for that, or for any other slot.
		select {
		case s.slots <- struct{}{}:
			return true
		case <-s.closing:
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
	select {
	case s.slots <- struct{}{}:
		return true
	case <-s.closing:
		return false
	}
}

// admit applies MaxConnsPerClient to a connection just accepted from
// client. At the cap, the client's own longest-idle connection makes
// room; if it has none idle, the new connection is refused with a 503
// (on a goroutine of its own, so that the accept loop never waits on a
// client).
func (s *Server) admit(nc net.Conn, client string) bool {
	limit := orDefault(s.MaxConnsPerClient, DefaultMaxConnsPerClient)
	if limit < 0 {
		return true
	}
	s.mu.Lock()
	n := s.perClient[client]
	s.mu.Unlock()
	if n < limit || s.evictIdle(client) {
		return true
	}
	s.logger().Warn("too many connections from one client; refusing", "remote", nc.RemoteAddr().String(), "open", n, "limit", limit)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		refuse(nc)
	}()
	return false
}

// refuse answers a connection the server will not serve with a 503, then
// closes it in stages (see conn.close), all within a few seconds.
func refuse(nc net.Conn) {
	nc.SetDeadline(time.Now().Add(time.Second))
	const msg = "503 Service Unavailable: too many connections from this address\n"
	io.WriteString(nc, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"+
		"Retry-After: 1\r\nConnection: close\r\nContent-Length: "+strconv.Itoa(len(msg))+"\r\n\r\n"+msg)
	if cw, ok := nc.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
		nc.SetReadDeadline(time.Now().Add(lingerTimeout))
		var sink [4 << 10]byte
		for range lingerBytes / len(sink) {
			if _, err := nc.Read(sink[:]); err != nil {
				break
			}
		}
	}
	nc.Close()
}

// clientKey is the address MaxConnsPerClient counts by: the IP, without
// the port.
func clientKey(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	if a == nil {
		return ""
	}
	if host, _, err := net.SplitHostPort(a.String()); err == nil {
		return host
	}
	return a.String()
}

func (s *Server) parkIdle(cn *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cn.listed {
		return
	}
	cn.listed = true
	cn.older, cn.newer = s.idleNew, nil
	if s.idleNew != nil {
		s.idleNew.newer = cn
	} else {
		s.idleOld = cn
	}
	s.idleNew = cn
}

func (s *Server) unpark(cn *conn) {
	s.mu.Lock()
	s.unlinkLocked(cn)
	s.mu.Unlock()
}

func (s *Server) unlinkLocked(cn *conn) {
	if !cn.listed {
		return
	}
	cn.listed = false
	if cn.older != nil {
		cn.older.newer = cn.newer
	} else {
		s.idleOld = cn.newer
	}
	if cn.newer != nil {
		cn.newer.older = cn.older
	} else {
		s.idleNew = cn.older
	}
	cn.older, cn.newer = nil, nil
}

// evictIdle closes the longest-idle parked connection (of client, when
// client is not empty) and reports whether it closed one. A connection
// that woke in the meantime is left alone: the next one is tried.
func (s *Server) evictIdle(client string) bool {
	for {
		s.mu.Lock()
		cn := s.idleOld
		for cn != nil && client != "" && cn.client != client {
			cn = cn.newer
		}
		if cn == nil {
			s.mu.Unlock()
			return false
		}
		s.unlinkLocked(cn)
		s.mu.Unlock()
		if cn.closeIfIdle() {
			s.logger().Debug("closing the longest-idle connection to make room", "remote", cn.nc.RemoteAddr().String(),
				"idle", time.Duration(monoNow()-cn.idleSince).Round(time.Millisecond))
			return true
		}
	}
}

// openStream counts a new long-lived stream against MaxStreams and
// reports false when none may open.
func (s *Server) openStream() bool {
	limit := int64(s.MaxStreams)
	if limit == 0 {
		limit = int64(max(orDefault(s.MaxConns, DefaultMaxConns)/2, 1))
	}
	if n := s.streams.Add(1); limit > 0 && n > limit {
		s.streams.Add(-1)
		return false
	}
	return true
}

func (s *Server) closeStream() { s.streams.Add(-1) }
