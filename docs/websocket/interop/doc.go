// Package interop tests framework/websocket against other implementations:
// gorilla/websocket and coder/websocket as clients of a groundup server on
// 127.0.0.1. It is a module of its own so that those peers never enter the
// framework's go.mod. Run it from this directory: go test ./...
package interop
