// Package framework is groundup: a small MVC web framework built from a
// TCP socket up, to ship small web apps and to learn how a web framework
// works.
//
// # A first app
//
//	app := framework.New()
//	app.Use(middleware.Logger(slog.Default()), middleware.Recover())
//	app.GET("/hello/:name", func(c *framework.Ctx) error {
//		return c.String(200, "Hello, "+c.Param("name")+"!")
//	})
//	srv := &framework.Server{Addr: "127.0.0.1:8000", Handler: app.Serve}
//	log.Fatal(srv.ListenAndServe())
//
// # The pipeline
//
// A request crosses these layers, one file each, in this order:
//
//	server.go    listener and accept loop, one goroutine per connection, limits, Shutdown
//	conn.go      the connection loop: read a head, run the handler, keep-alive or close
//	idle.go      between requests: the idle wait, parking, the buffer pools
//	output.go    the write buffer, deadlines, canned errors, the lingering close
//	watch.go     the client-gone watch while a handler runs
//	http1/       the sans-IO parser: bytes in, a request head or a protocol error out
//	body.go      the body as a stream: Content-Length or chunked, limits, 100-continue
//	router.go    httprouter's tree, plus redirects, 405 with Allow, OPTIONS and HEAD
//	trees.go     several trees when routes conflict; the most specific match wins
//	explain.go   the router's decision as data, for dev pages and -explain
//	handler.go   Handler, Middleware and the chain: func(Handler) Handler
//	middleware/  the stock middleware (logger, recover, gzip...), on the exported API alone
//	session/     signed-cookie sessions, flash messages and CSRF, the same way
//	context.go   Ctx: what a controller reads from the request and writes back
//	resource.go  a controller's conventional actions as routes
//	view.go      templ components rendered into the response buffer
//	response.go  the writer: status line, headers, Content-Length or chunked
//	framing.go   the framing rules, a table with the RFC reason on each row
//	errors.go    one ErrorHandler: typed HTTP errors, JSON or HTML, dev pages
//	static.go    files from an fs.FS; conditional.go: validators, 304, ranges
//	hijack.go    a taken-over connection that keeps its slot and hears Shutdown
//	websocket/   RFC 6455 on a hijacked connection: a sans-IO frame codec, the connection
//
// Protocol errors (a malformed head, an oversized header, a smuggling
// attempt) are answered by the connection loop and never reach a handler.
// Everything a handler returns as an error goes to one ErrorHandler.
//
// # Strings that stay valid
//
// When a head has been parsed, its bytes are copied once into one
// immutable string, and the method, path, query and every header value
// are substrings of it. That one allocation buys safety: a value taken
// from a request stays valid after the handler returns, in a goroutine or
// a cache, unlike frameworks that alias a reused buffer.
//
// # Testing
//
// Package frameworktest runs requests through the real connection loop,
// parser, router and writer in memory (Server.ServeConn over an in-memory
// connection), and returns the exact response bytes.
//
// The docs/ folder of the repository teaches each layer from the real
// code, starting from a bare socket.
package framework
