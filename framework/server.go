package framework

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundup-go/groundup/framework/http1"
)

// The socket layer: a listener, an accept loop, and one goroutine per
// connection. Go's runtime already multiplexes blocked goroutines over
// epoll, so code that simply blocks on conn.Read is both the clearest to
// read and, as fasthttp shows, among the fastest designs in Go.

// Defaults for every bound of the Server. Each applies when the matching
// Server field is zero; docs/http-support.md lists them in one table.
const (
	DefaultReadHeaderTimeout = 10 * time.Second // first byte of a request to the end of its head
	DefaultReadTimeout       = 60 * time.Second // end of the head to the end of the body
	DefaultWriteTimeout      = 60 * time.Second // each flush of the response to the socket
	DefaultIdleTimeout       = 120 * time.Second
	DefaultMaxBodyBytes      = 8 << 20   // 8 MiB; larger bodies get 413
	DefaultMaxDrainBytes     = 256 << 10 // unread body discarded to keep a connection
	DefaultMaxConns          = 10000
	DefaultMaxConnsPerClient = 1000            // open connections from one client address
	DefaultMinBodyRate       = 240             // bytes per second a body must average, once past its grace
	DefaultMinBodyRateGrace  = 5 * time.Second // reading time a body gets before the rate applies
	DefaultServerName        = "groundup"
	DefaultStreamHeartbeat   = 15 * time.Second // an event stream's comment line when nothing else was sent
	DefaultMaxStreamDuration = 30 * time.Minute // an event stream's life; EventSource reconnects after it
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close.
var ErrServerClosed = errors.New("groundup: server closed")

// Server accepts connections and serves HTTP/1.1 on them. The zero value
// of each limit means its Default constant. A Server must not be copied
// after first use.
type Server struct {
	// Addr is the TCP address ListenAndServe listens on, "127.0.0.1:8000"
	// when empty.
	Addr string
	// Handler answers every request that parses. App.Serve is the usual one.
	Handler Handler
	// Logger receives protocol errors, panics and accept errors;
	// slog.Default() when nil.
	Logger *slog.Logger
	// TLSConfig, when set, makes ListenAndServe serve HTTPS.
	TLSConfig *tls.Config
	// ServerName is sent in the Server header; "groundup" when empty.
	// Set it to "-" to send no Server header.
	ServerName string

	MaxURIBytes    int   // request-target length; longer gets 414 (default 8 KiB)
	MaxHeaderBytes int   // request line plus fields; more gets 431 (default 16 KiB)
	MaxHeaderCount int   // header fields; more gets 431 (default 100)
	MaxBodyBytes   int64 // request body; more gets 413 (default 8 MiB)
	MaxDrainBytes  int64 // unread body the server discards to keep the connection (default 256 KiB)
	// MaxConns bounds the open connections (default 10000). When a new
	// connection needs a slot and none is free, the keep-alive connection
	// that has waited longest for its next request is closed to make
	// room, as nginx does; a connection in the middle of a request never
	// is. Only when every connection is busy does the new one wait.
	MaxConns int
	// MaxConnsPerClient bounds the connections open from one client IP
	// address, loopback included (default 1000; negative for none). A
	// client at the cap that opens another loses its own longest-idle
	// connection, or, with none idle, gets a 503 and a close.
	MaxConnsPerClient int

	ReadHeaderTimeout time.Duration // slowloris guard (default 10 s)
	ReadTimeout       time.Duration // reading the body (default 60 s)
	WriteTimeout      time.Duration // each write to the socket (default 60 s)
	IdleTimeout       time.Duration // between requests on a keep-alive connection (default 120 s)

	// MinBodyRate is the slowest a request body may arrive, in bytes per
	// second, averaged over the time the server spent waiting for it
	// (time the handler spends between reads does not count). It applies
	// once the body has had MinBodyRateGrace of waiting; a body below it
	// is answered 408 and the connection closed. A client that sends one
	// byte every 10 s is cut after about 5 s, while an upload at 1 KB/s
	// goes through. Default 240 B/s with a 5 s grace (Kestrel's
	// MinRequestBodyDataRate); negative turns the check off, leaving
	// ReadTimeout alone.
	MinBodyRate      int
	MinBodyRateGrace time.Duration

	// Long-lived streams: event streams (Ctx.EventStream) and connections
	// taken over with Ctx.HijackConn (WebSocket). A stream holds its
	// connection slot while it lasts and is never evicted, so streams are
	// bounded apart.
	//
	// StreamHeartbeat is how often an event stream that sent nothing
	// sends a comment line (default 15 s; negative for none). Each write
	// is bounded by WriteTimeout, so a peer that stopped reading is found,
	// and the stream's Done closes. MaxStreamDuration ends an event
	// stream after that long (default 30 min; negative for no bound):
	// Done closes and sends fail, and EventSource reconnects by itself.
	// MaxStreams bounds the streams open at once (default half of
	// MaxConns; negative for no bound): beyond it, EventStream and
	// HijackConn fail with a 503, so streams never take every slot.
	StreamHeartbeat   time.Duration
	MaxStreamDuration time.Duration
	MaxStreams        int

	// BaseContext, if set, returns the context every connection's
	// context derives from.
	BaseContext func(net.Listener) context.Context

	// Trace, when set, records a trace of every request into it (see
	// TraceStore). Leave it nil in production: tracing costs time and
	// keeps request bytes.
	Trace *TraceStore

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	inShut    atomic.Bool
	closing   chan struct{} // closed by Close or when Shutdown gives up
	slots     chan struct{}
	perClient map[string]int // open connections by client address
	idleOld   *conn          // the parked connections, longest idle first
	streams   atomic.Int64   // open event streams and kept hijacked connections
	shutdown  chan struct{}  // closed when Shutdown or Close begins
	shutOnce  sync.Once
	idleNew   *conn
	initOnce  sync.Once
	env       serverEnv      // what connections need from the server: made once by init
	wg        sync.WaitGroup // accept loops and connection goroutines
}

func (s *Server) init() {
	s.initOnce.Do(func() {
		s.listeners = make(map[net.Listener]struct{})
		s.conns = make(map[*conn]struct{})
		s.perClient = make(map[string]int)
		s.shutdown = make(chan struct{})
		s.closing = make(chan struct{})
		s.slots = make(chan struct{}, orDefault(s.MaxConns, DefaultMaxConns))
		s.env = serverEnv{lim: s.limits(), log: s.logger(), shut: &s.inShut}
		if name := s.serverName(); name != "" {
			s.env.serverLine = "Server: " + name + "\r\n"
		}
	})
}

// ListenAndServe listens on s.Addr and serves; with TLSConfig set it
// serves HTTPS. It returns ErrServerClosed after Shutdown or Close.
func (s *Server) ListenAndServe() error {
	addr := s.Addr
	if addr == "" {
		addr = "127.0.0.1:8000"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if s.TLSConfig != nil {
		ln = tls.NewListener(ln, s.TLSConfig)
	}
	return s.Serve(ln)
}

// ListenAndServeTLS is ListenAndServe over TLS with the certificate and key
// in the given PEM files.
func (s *Server) ListenAndServeTLS(certFile, keyFile string) error {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return err
	}
	cfg := &tls.Config{}
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	}
	cfg.Certificates = append(cfg.Certificates, cert)
	// Only HTTP/1.1 is spoken here; say so in ALPN so that clients do not
	// try HTTP/2.
	cfg.NextProtos = []string{"http/1.1"}
	s.TLSConfig = cfg
	return s.ListenAndServe()
}

// Serve accepts connections on ln, one goroutine each, until Shutdown or
// Close. Any net.Listener works: TCP, a tls.NewListener, or an in-memory
// one in tests. Serve closes ln when it returns.
func (s *Server) Serve(ln net.Listener) error {
	s.init()
	s.mu.Lock()
	if s.inShut.Load() {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	startDateClock()
	defer stopDateClock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		ln.Close()
	}()

	base := context.Background()
	if s.BaseContext != nil {
		base = s.BaseContext(ln)
	}
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.inShut.Load() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// EMFILE, ENFILE, ECONNABORTED and friends: back off and go on,
			// never spin and never exit (net/http does the same).
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.logger().Error("accept failed; retrying", "err", err, "backoff", backoff)
			select {
			case <-time.After(backoff):
			case <-s.closing:
				return ErrServerClosed
			}
			continue
		}
		backoff = 0
		client := clientKey(nc.RemoteAddr())
		if !s.admit(nc, client) {
			continue
		}
		if !s.takeSlot() {
			nc.Close()
			return ErrServerClosed
		}
		cn := newConn(s, nc, base)
		cn.client = client
		if !s.track(cn) {
			nc.Close()
			<-s.slots
			return ErrServerClosed
		}
		// The connection may move between goroutines (see idleGrace),
		// so its bookkeeping (forget) runs when it ends, not when one
		// goroutine returns.
		go cn.serveParked()
	}
}

// The parked list: connections idle past idleGrace, in the order they
// parked, so that the one idle longest is at the front. A connection
// joins when it parks and leaves when its wait ends; busy connections
// never touch the list (or its lock).

// ServeConn serves one connection that the caller accepted, through the
// same loop as Serve, and returns when the connection ends. It counts as
// one of the server's connections: it waits for a free slot while
// MaxConns connections are open, Shutdown waits for it, and Close ends
// it. A connection handed over after Shutdown or Close is closed at once.
// ctx is the parent of the requests' contexts.
//
// It suits a listener of one's own, a socket passed in by a supervisor, or
// an in-memory connection in tests (see package frameworktest).
func (s *Server) ServeConn(ctx context.Context, nc net.Conn) {
	s.init()
	if !s.takeSlot() {
		nc.Close()
		return
	}
	cn := newConn(s, nc, ctx)
	cn.client = clientKey(nc.RemoteAddr())
	if !s.track(cn) {
		nc.Close()
		<-s.slots
		return
	}
	// The wait between requests stays on this goroutine: the caller
	// waits for the end of the connection anyway.
	for cn.serve() {
	}
}

// track adds a connection that holds a slot to the server's list, and
// starts the Date clock for it (see date.go). It reports false when the
// server is shutting down.
func (s *Server) track(cn *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inShut.Load() {
		return false
	}
	s.conns[cn] = struct{}{}
	s.perClient[cn.client]++
	s.wg.Add(1)
	startDateClock()
	return true
}

// Shutdown stops the server gracefully: it closes the listeners, closes
// idle connections, and waits for requests in flight to finish. Once ctx
// ends it closes the remaining connections, cancels their requests'
// contexts, and returns ctx.Err(). It returns after every goroutine the
// server started has ended.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.inShut.Store(true)
	s.shutOnce.Do(func() { close(s.shutdown) })
	s.closeListeners()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.closeIdle() == 0 {
			s.wg.Wait()
			return nil
		}
		select {
		case <-ctx.Done():
			s.closeAll()
			s.wg.Wait()
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Close closes the listeners and every connection at once, and waits for
// their goroutines to end. Prefer Shutdown.
func (s *Server) Close() error {
	s.init()
	s.inShut.Store(true)
	s.shutOnce.Do(func() { close(s.shutdown) })
	s.closeListeners()
	s.closeAll()
	s.wg.Wait()
	return nil
}

func (s *Server) closeListeners() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ln := range s.listeners {
		ln.Close()
	}
}

// closeIdle closes the connections that wait between requests and returns
// how many connections remain open.
func (s *Server) closeIdle() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for cn := range s.conns {
		if cn.closeIfIdle() {
			delete(s.conns, cn)
		}
	}
	return len(s.conns)
}

func (s *Server) closeAll() {
	var kept []*HijackedConn
	s.mu.Lock()
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	for cn := range s.conns {
		cn.abort()
		if cn.kept != nil {
			kept = append(kept, cn.kept)
		}
	}
	s.mu.Unlock()
	// A hijacker that has not released its connection by now loses it.
	for _, h := range kept {
		h.Release()
	}
}

// forget drops an ended connection: out of the list, its slot freed.
func (s *Server) forget(cn *conn) {
	s.mu.Lock()
	delete(s.conns, cn)
	s.unlinkLocked(cn)
	if s.perClient[cn.client]--; s.perClient[cn.client] <= 0 {
		delete(s.perClient, cn.client)
	}
	s.mu.Unlock()
	stopDateClock()
	<-s.slots
	s.wg.Done()
}

func (s *Server) shuttingDown() bool { return s.inShut.Load() }

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) serverName() string {
	switch s.ServerName {
	case "":
		return DefaultServerName
	case "-":
		return ""
	}
	return s.ServerName
}

func (s *Server) limits() http1.Limits {
	return http1.Limits{
		MaxURIBytes:    orDefault(s.MaxURIBytes, http1.DefaultMaxURIBytes),
		MaxHeaderBytes: orDefault(s.MaxHeaderBytes, http1.DefaultMaxHeaderBytes),
		MaxHeaderCount: orDefault(s.MaxHeaderCount, http1.DefaultMaxHeaderCount),
	}
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}
