// Package deploy holds the nginx configuration that chapter 13 of the docs
// (docs/13-deploying.md) recommends, and the tests that try it:
//
//   - TestNginxInFront starts two small in-process groundup instances and
//     a real nginx in front of them, then speaks HTTP/2 over TLS to nginx
//     and checks what reaches the instances;
//   - TestAppBehindNginx builds the app's binary and runs two instances
//     of it on a fresh PostgreSQL cluster, behind the same nginx config:
//     entries, live updates and sessions cross instances, an instance
//     killed under load loses no acknowledged entry, and the logs show the
//     client's address.
//
// The package has no code of its own. Run its tests with
//
//	go test ./docs/deploy/ -v
//
// They skip when nginx or PostgreSQL is not installed, except under
// CI=true, where a missing one fails them.
package deploy
