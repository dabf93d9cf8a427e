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
	DefaultServerName        = "groundup"
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
	MaxConns       int   // open connections; the accept loop waits above it (default 10000)

	ReadHeaderTimeout time.Duration // slowloris guard (default 10 s)
	ReadTimeout       time.Duration // reading the body (default 60 s)
	WriteTimeout      time.Duration // each write to the socket (default 60 s)
	IdleTimeout       time.Duration // between requests on a keep-alive connection (default 120 s)

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
	initOnce  sync.Once
	wg        sync.WaitGroup // accept loops and connection goroutines
}

func (s *Server) init() {
	s.initOnce.Do(func() {
		s.listeners = make(map[net.Listener]struct{})
		s.conns = make(map[*conn]struct{})
		s.closing = make(chan struct{})
		s.slots = make(chan struct{}, orDefault(s.MaxConns, DefaultMaxConns))
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
		// Wait for a free connection slot before accepting: above
		// MaxConns, new clients queue in the kernel's backlog instead of
		// being accepted and starved.
		select {
		case s.slots <- struct{}{}:
		case <-s.closing:
			return ErrServerClosed
		}
		nc, err := ln.Accept()
		if err != nil {
			<-s.slots
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
		cn := newConn(s, nc, base)
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
	select {
	case s.slots <- struct{}{}:
	case <-s.closing:
		nc.Close()
		return
	}
	cn := newConn(s, nc, ctx)
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
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	for cn := range s.conns {
		cn.abort()
	}
}

// forget drops an ended connection: out of the list, its slot freed.
func (s *Server) forget(cn *conn) {
	s.mu.Lock()
	delete(s.conns, cn)
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
