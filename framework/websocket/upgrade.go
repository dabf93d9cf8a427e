package websocket

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/http1"
)

// Options configure Upgrade and the connection it returns. The zero value
// is a strict, safe default.
type Options struct {
	// Origins lists the origins, besides the request's own host, whose
	// pages may open a connection: full origins ("https://app.example") or
	// bare hosts ("app.example:8443"), compared case-insensitively; "*"
	// allows every origin. A request without an Origin field (not from a
	// browser) is always allowed. The check stops cross-site WebSocket
	// hijacking: a browser sends cookies with the handshake of any page.
	Origins []string

	// CheckOrigin, if set, replaces the Origins check. It receives the
	// Origin field, which may be empty.
	CheckOrigin func(c *framework.Ctx, origin string) bool

	// Subprotocols are the application protocols the server speaks, in
	// its order of preference. The first one the client also offers in
	// Sec-WebSocket-Protocol is chosen; if none is, the connection has no
	// subprotocol and the client decides whether to go on (RFC 6455 §4.2.2).
	Subprotocols []string

	// MaxMessageSize bounds a received message, in bytes; a larger one
	// fails the connection with 1009. Zero means DefaultMaxMessageSize; a
	// negative value means no limit.
	MaxMessageSize int64

	// ReadBufferSize and WriteBufferSize size the connection's buffers.
	// A written message larger than the write buffer goes out as
	// fragments of that size when streamed with NextWriter. Zero means
	// DefaultBufferSize.
	ReadBufferSize, WriteBufferSize int

	// CloseTimeout bounds the close handshake: how long Close waits for
	// the peer's close frame, and how long a failed connection waits for
	// the peer to hang up. Zero means DefaultCloseTimeout.
	CloseTimeout time.Duration

	// Compression offers permessage-deflate (RFC 7692): if the client
	// asks for it, messages are compressed both ways. Off by default: it
	// costs CPU and, with context takeover, about 32 KiB of window per
	// side per connection, and compressing secrets next to data a peer
	// chooses can leak them (the CRIME and BREACH attacks).
	Compression bool

	// CompressionNoContextTakeover compresses every message on its own,
	// and asks the client to do the same: less memory per connection,
	// less compression.
	CompressionNoContextTakeover bool

	// PingInterval, if positive, sends a ping at that interval. If no pong
	// (or any other frame: a busy peer is alive) has arrived by the next
	// tick, the peer is taken for dead and the connection is closed.
	// Pongs are seen only while someone reads the connection.
	PingInterval time.Duration

	// Logger receives the connection's log lines; nil means the request's
	// logger.
	Logger *slog.Logger
}

// The defaults of Options.
const (
	DefaultMaxMessageSize = 1 << 20
	DefaultBufferSize     = 4096
	DefaultCloseTimeout   = 5 * time.Second
)

// acceptGUID is the fixed string of RFC 6455 §1.3 that the server appends
// to the client's key before hashing, so that only a server that
// understood the handshake can answer it.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// AcceptKey returns the Sec-WebSocket-Accept value for a client's
// Sec-WebSocket-Key: base64(SHA-1(key + GUID)), RFC 6455 §4.2.2.
func AcceptKey(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write([]byte(acceptGUID))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// Upgrade checks the opening handshake of RFC 6455 §4.2.1, answers it with
// 101 Switching Protocols written straight to the hijacked socket, and
// returns the connection. The handler then owns the connection and
// should read it until it fails, and Close it.
//
// A request that is not a valid handshake gets an *framework.HTTPError to
// return from the handler: 400 for a malformed handshake, 403 for an
// origin that is not allowed, and 426 with "Sec-WebSocket-Version: 13"
// for a version other than 13 (§4.4). Nothing has been written then.
func Upgrade(c *framework.Ctx, opts Options) (*Conn, error) {
	fail := func(code int, msg string) error {
		c.Logger().Info("websocket: handshake refused", "status", code, "reason", msg,
			"path", c.Path(), "remote", c.RemoteAddr())
		return framework.NewError(code, msg)
	}
	key, code, msg := checkRequest(c)
	if code != 0 {
		return nil, fail(code, msg)
	}
	// Item 8 and §10.2: a browser always sends Origin; the server decides.
	origin := c.RequestHeader("Origin")
	allowed := false
	if opts.CheckOrigin != nil {
		allowed = opts.CheckOrigin(c, origin)
	} else {
		allowed = originAllowed(origin, c.Host(), opts.Origins)
	}
	if !allowed {
		return nil, fail(403, "websocket: origin not allowed")
	}
	protocol := chooseSubprotocol(c, opts.Subprotocols)
	var deflate deflateParams
	var extensions string
	useDeflate := false
	if opts.Compression {
		var offers []string
		for _, f := range c.RequestHeaders() {
			if strings.EqualFold(f.Name, "Sec-WebSocket-Extensions") {
				offers = append(offers, f.Value)
			}
		}
		deflate, extensions, useDeflate = negotiateDeflate(offers, opts.CompressionNoContextTakeover)
	}

	// HijackConn, not Hijack: the connection keeps its slot among the
	// server's MaxConns (and is never evicted as idle) until the Conn
	// closes, and hears when the server shuts down.
	hc, err := c.HijackConn()
	if err != nil {
		return nil, err
	}
	// §4.2.2 item 5: the server's handshake. Fields the handler set (a
	// cookie, say) go out too, except the ones the handshake owns.
	resp := make([]byte, 0, 256)
	resp = append(resp, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	resp = append(resp, AcceptKey(key)...)
	resp = append(resp, "\r\n"...)
	if protocol != "" {
		resp = append(resp, "Sec-WebSocket-Protocol: "+protocol+"\r\n"...)
	}
	if useDeflate {
		resp = append(resp, "Sec-WebSocket-Extensions: "+extensions+"\r\n"...)
	}
	for _, f := range c.Header().Fields() {
		switch strings.ToLower(f.Name) {
		case "upgrade", "connection", "sec-websocket-accept", "sec-websocket-protocol",
			"sec-websocket-extensions", "sec-websocket-version", "content-length", "transfer-encoding":
			continue
		}
		resp = append(resp, f.Name+": "+f.Value+"\r\n"...)
	}
	resp = append(resp, "\r\n"...)

	log := opts.Logger
	if log == nil {
		log = c.Logger()
	}
	conn := newConn(hc, hc.Buffered, Server, opts, log)
	conn.raw = hc.Conn
	conn.subprotocol = protocol
	if useDeflate {
		conn.dec.RSV = RSV1
		conn.inflate = &inflater{takeover: !deflate.clientNoTakeover}
		conn.deflate = &deflater{takeover: !deflate.serverNoTakeover}
	}
	hc.SetWriteDeadline(time.Now().Add(conn.closeTimeout))
	_, err = hc.Write(resp)
	hc.SetWriteDeadline(time.Time{})
	if err != nil {
		hc.Close()
		return nil, err
	}
	conn.start()
	go conn.serverGoingAway(hc.ShutdownNotify())
	return conn, nil
}

// serverGoingAway ends the connection when the server shuts down: a close
// frame with 1001 (going away, RFC 6455 §7.4.1), the wait for the peer's
// answer up to the close timeout, then the socket closed and its slot
// given back to the server, whose Shutdown is waiting for it.
func (c *Conn) serverGoingAway(shutdown <-chan struct{}) {
	select {
	case <-c.done:
		return
	case <-shutdown:
	}
	c.log.Debug("websocket: server shutting down; closing with 1001", "remote", c.nc.RemoteAddr().String())
	_ = c.Shutdown(context.Background())
}

// hasToken reports whether any request field called name holds token.
func hasToken(c *framework.Ctx, name, token string) bool {
	for _, f := range c.RequestHeaders() {
		if strings.EqualFold(f.Name, name) && http1.ListHas(f.Value, token) {
			return true
		}
	}
	return false
}

// originAllowed applies the default origin policy: no Origin (not a
// browser), the request's own host, or an entry of allow.
func originAllowed(origin, host string, allow []string) bool {
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // "null" (a sandboxed page or a file) or garbage
	}
	if strings.EqualFold(u.Host, host) {
		return true
	}
	for _, a := range allow {
		if a == "*" || strings.EqualFold(a, origin) || strings.EqualFold(a, u.Host) {
			return true
		}
	}
	return false
}

// chooseSubprotocol returns the first of ours that the client offers.
func chooseSubprotocol(c *framework.Ctx, ours []string) string {
	if len(ours) == 0 {
		return ""
	}
	for _, p := range ours {
		for _, f := range c.RequestHeaders() {
			if strings.EqualFold(f.Name, "Sec-WebSocket-Protocol") && listHasExact(f.Value, p) {
				return p
			}
		}
	}
	return ""
}

// listHasExact reports whether a comma-separated list holds token, case
// and all: subprotocol names are case-sensitive (RFC 6455 §4.1 item 10).
func listHasExact(list, token string) bool {
	for e := range strings.SplitSeq(list, ",") {
		if strings.TrimSpace(e) == token {
			return true
		}
	}
	return false
}

// checkRequest checks the client's handshake (RFC 6455 §4.2.1) and
// returns its key, or the status and reason of a refusal.
func checkRequest(c *framework.Ctx) (key string, code int, msg string) {
	// §4.2.1 item 1: "An HTTP/1.1 or higher GET request".
	if c.Method() != "GET" {
		return "", 400, "websocket: the handshake must be a GET request"
	}
	if c.Proto() != "HTTP/1.1" {
		return "", 400, "websocket: the handshake needs HTTP/1.1"
	}
	// Items 3 and 4: Upgrade holds "websocket", Connection holds "Upgrade",
	// both case-insensitive, each possibly among other tokens.
	if !hasToken(c, "Upgrade", "websocket") {
		return "", 400, "websocket: Upgrade header must name websocket"
	}
	if !hasToken(c, "Connection", "upgrade") {
		return "", 400, "websocket: Connection header must hold upgrade"
	}
	// Item 6 and §4.4: any version but 13 gets 426 and the version we speak.
	if strings.TrimSpace(c.RequestHeader("Sec-WebSocket-Version")) != "13" {
		c.Header().Set("Sec-WebSocket-Version", "13")
		return "", 426, "websocket: unsupported Sec-WebSocket-Version; this server speaks 13"
	}
	// Item 5: the key is 16 random bytes, base64-encoded (24 characters).
	key = strings.TrimSpace(c.RequestHeader("Sec-WebSocket-Key"))
	if raw, err := base64.StdEncoding.DecodeString(key); err != nil || len(raw) != 16 {
		return "", 400, "websocket: Sec-WebSocket-Key must be 16 bytes in base64"
	}
	return key, 0, ""
}
