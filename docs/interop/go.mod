module github.com/groundup-go/groundup/docs/interop

go 1.26.0

require (
	github.com/coder/websocket v1.8.15
	github.com/gorilla/websocket v1.5.3
	github.com/groundup-go/groundup v0.0.0-00010101000000-000000000000
)

require (
	github.com/a-h/templ v0.3.1100 // indirect
	github.com/julienschmidt/httprouter v1.3.0 // indirect
)

replace github.com/groundup-go/groundup => ../..
