// Package websocket speaks RFC 6455 on a connection that the framework
// has handed over with Ctx.Hijack.
//
// It is built the way package http1 is: a sans-IO frame codec (frame.go,
// with the rules of RFC 6455 §5 as a table in rules.go) that turns bytes
// into frames or into a *ProtocolError carrying the close code to send,
// and, on top of it, the connection that does the reading and writing.
package websocket
