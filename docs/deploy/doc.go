// Package deploy holds the nginx configuration that chapter 13 of the docs
// (docs/13-deploying.md) recommends, and the tests that try it: they start
// two groundup instances and a real nginx in front of them, then speak
// HTTP/2 over TLS to nginx and check what reaches the instances.
//
// The package has no code of its own. Run its tests with
//
//	go test ./docs/deploy/ -v
//
// They skip when nginx is not installed, except under CI=true, where a
// missing nginx fails them.
package deploy
