// Package interop checks groundup against libraries written for net/http,
// mounted with framework.WrapHTTP and driven by their own clients. It is a
// module of its own so that those libraries stay out of the framework's
// go.mod.
package interop
