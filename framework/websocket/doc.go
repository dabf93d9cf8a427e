// Package websocket speaks WebSocket (RFC 6455) on a connection that the
// framework hands over with Ctx.HijackConn. It is built the way package http1
// is: a sans-IO frame codec that can be tested with byte tables and
// fuzzed, and, on top of it, the connection that reads and writes.
//
// # An echo endpoint
//
//	app.GET("/ws/echo", func(c *framework.Ctx) error {
//		ws, err := websocket.Upgrade(c, websocket.Options{})
//		if err != nil {
//			return err // 400, 403 or 426, answered by the error handler
//		}
//		defer ws.Close(websocket.CloseNormalClosure, "")
//		for {
//			op, msg, err := ws.ReadMessage()
//			if err != nil {
//				return nil // the peer closed, or broke the protocol
//			}
//			if err := ws.WriteMessage(op, msg); err != nil {
//				return nil
//			}
//		}
//	})
//
// The handler's goroutine now belongs to the connection; the server
// neither reads from nor writes to the socket again.
//
// # The upgrade, from the bytes
//
// A browser opens a WebSocket with an ordinary HTTP/1.1 GET:
//
//	GET /ws/echo HTTP/1.1
//	Host: example.com
//	Upgrade: websocket
//	Connection: Upgrade
//	Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
//	Sec-WebSocket-Version: 13
//	Origin: https://example.com
//
// Upgrade checks every line (RFC 6455 §4.2.1): the method and version,
// the two tokens (each may sit in a list, in any case), a key that is 16
// bytes in base64, and version 13. A malformed handshake gets 400; a
// version other than 13 gets 426 with "Sec-WebSocket-Version: 13" (§4.4).
// Then the Origin: a browser sends cookies with the handshake of any page,
// on any site, so a server that accepted every origin would let any page
// act as its logged-in user. By default only the request's own host is
// allowed (and clients that send no Origin, which are not browsers);
// Options.Origins adds others, Options.CheckOrigin replaces the rule. A
// refusal is 403. All of these are returned as *framework.HTTPError, for
// the handler to return, so the app's error handler answers them.
//
// A good handshake is answered with 101, written by Upgrade straight on
// the hijacked socket:
//
//	HTTP/1.1 101 Switching Protocols
//	Upgrade: websocket
//	Connection: Upgrade
//	Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
//
// The accept value is base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
// (AcceptKey): it proves the server read the key, so a server that does
// not speak WebSocket can never be mistaken for one that does. A
// subprotocol from Options.Subprotocols that the client also offered
// goes out as Sec-WebSocket-Protocol; fields the handler set with
// c.Header() (a cookie, say) go out too.
//
// # Frames
//
// After the 101, both sides send frames (§5.2): a FIN bit, three reserved
// bits, a four-bit opcode, a mask bit, a length in 7 bits, or 16 or 64
// more when the 7 bits say 126 or 127, a masking key if masked, and the
// payload. The Decoder reads them in two steps, Header and then Payload
// in pieces of any size, so a connection streams a 16 MiB message through
// a 4 KiB buffer; Decoder.Frame does both for a frame already in hand.
// The rules the header must obey are a table in rules.go, each with its
// section and close code:
//
//	rule                                             close  RFC 6455
//	reserved opcode (0x3-0x7, 0xB-0xF)                1002   §5.2
//	reserved bit with no extension to claim it        1002   §5.2
//	client frame not masked (server frame masked)     1002   §5.1
//	control frame fragmented, or over 125 bytes       1002   §5.5
//	length not in its shortest form                   1002   §5.2
//	continuation with no message, or a new message
//	  before the last one's final frame               1002   §5.4
//	message over the size limit                       1009   §7.4.1
//	text that is not UTF-8, even split mid-character  1007   §8.1
//	close frame of 1 byte, or with an invalid code    1002   §5.5.1, §7.4.1
//	close reason that is not UTF-8                    1007   §5.5.1
//
// Masking: every client frame is XORed with a fresh random key. It is not
// for secrecy: it stops a hostile page from choosing the exact bytes that
// a transparent proxy between the browser and the server sees, which
// could otherwise be made to look like an HTTP request and poison the
// proxy's cache (§10.3). Server frames are never masked.
//
// Text is checked as UTF-8 as it arrives, with a validator that keeps
// only the bytes a character still owes, so the connection fails at the
// first bad byte, even when a character is split across frames.
//
// # Fragmentation and control frames
//
// A message may be sent as a first frame (opcode text or binary, FIN
// clear), continuation frames, and a last one with FIN set (§5.4). Ping,
// pong and close frames may come between the fragments: they are short
// and are never fragmented themselves, so a peer can answer a ping in
// the middle of a long message. NextReader and NextWriter stream a
// message; ReadMessage and WriteMessage move it whole. A streamed message
// goes out in fragments the size of the write buffer.
//
// Reading drives the protocol. A ping is answered with a pong as it is
// read; so keep a goroutine reading, even one that only discards. One
// goroutine may read while another writes: frames are written whole under
// a lock, so a pong can go out between two fragments of a message.
//
// # Closing
//
// Either side sends a close frame with a code and a reason, and the other
// answers with its own (§7.1.2); then the server closes TCP first. Close
// does that with a bound, Options.CloseTimeout: a peer that never answers
// costs that long and no more. When the peer breaks a rule, the
// connection is failed (§7.1.7): a close frame with the rule's code, a
// half-close, a short wait for the peer to hang up (closing at once with
// its bytes unread would make the kernel send a reset that can destroy
// the close frame), and the socket is closed. The reading error says
// what happened: a *CloseError with the peer's code, a *ProtocolError
// with the rule the peer broke, or 1006 when the connection dropped.
//
// Options.PingInterval turns on a heartbeat: a ping every interval, and a
// peer from which nothing arrived for a whole interval after a ping is
// taken for dead and dropped.
//
// # Limits
//
// Options.MaxMessageSize (1 MiB by default) bounds a received message;
// it is checked at each frame header, before the payload is read, so a
// frame that claims 2^62 bytes costs nothing. SetReadDeadline and
// SetWriteDeadline bound each read and write. Control frames get a
// deadline of their own, so a peer that stops reading cannot stall the
// goroutine that answers its pings.
//
// # Compression
//
// Options.Compression offers permessage-deflate (RFC 7692), off by
// default, with compress/flate. A message is one DEFLATE stream ended by
// a sync flush whose last four bytes (00 00 ff ff) stay off the wire; its
// first frame has RSV1 set, which the decoder then allows on first frames
// only. With context takeover, the default, a message may refer back to
// the 32 KiB before it; CompressionNoContextTakeover compresses each
// message alone and asks the client to do the same. compress/flate cannot
// shrink its window, so an offer with server_max_window_bits below 15 is
// declined. The size limit applies to the inflated message, so a small
// compressed bomb is refused with 1009; inflated text is checked as UTF-8.
// A streamed message (NextWriter) is gathered and compressed whole.
//
// # The server's lifecycle
//
// Upgrade takes the socket with Ctx.HijackConn, so an upgraded connection
// keeps its slot among Server.MaxConns and Server.MaxStreams while it is
// open and is never evicted as idle; Upgrade answers 503 when MaxStreams
// connections are already open. When Server.Shutdown (or Close) begins,
// every Conn sends a close frame with 1001 (going away), waits for the
// peer's answer up to its CloseTimeout, closes the socket and gives the
// slot back; Shutdown waits for that until its context ends.
package websocket
