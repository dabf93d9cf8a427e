package http1

import "strings"

// The request line, RFC 9112 §3: the method, the request-target in one
// of its four forms, and the version. The exact parser's; the fast path
// reads the usual line in fastpath.go and leaves every other to these.

// parseRequestLine parses
//
//	request-line = method SP request-target SP HTTP-version   (RFC 9112 §3)
//
// with exactly one SP between the parts, and fills the request-line part of h.
func parseRequestLine(line string, h *Head) *ProtocolError {
	sp1 := strings.IndexByte(line, ' ')
	if sp1 < 0 {
		return errRequestLine
	}
	method, rest := line[:sp1], line[sp1+1:]
	sp2 := strings.IndexByte(rest, ' ')
	if sp2 < 0 {
		return errRequestLine
	}
	target, version := rest[:sp2], rest[sp2+1:]
	switch {
	case !IsToken(method):
		return errMethod
	case target == "":
		return errRequestLine // two SPs in a row
	}
	minor, e := parseVersion(version)
	if e != nil {
		return e
	}
	h.Method, h.Target, h.Minor = method, target, minor
	h.RawQuery, h.Host = "", "" // parseTarget sets them when there are any

	if !allIn(target, cTarget) {
		return errTargetByte
	}
	if strings.IndexByte(target, '#') >= 0 {
		// A fragment is never part of a request-target (RFC 9112 §3.2); one
		// that arrives is a client bug or an attempt to make us and a
		// proxy disagree about the path.
		return errFragment
	}
	if method == "CONNECT" {
		// Tunnelling is a proxy's job. This server never is one.
		return errConnect
	}
	return parseTarget(method, target, h)
}

// parseVersion accepts HTTP/1.0 and HTTP/1.1. A higher minor version of
// HTTP/1 (HTTP/1.2 to HTTP/1.9) is served as HTTP/1.1: RFC 9110 §2.5 says
// a server SHOULD treat it as the highest minor version it supports, since
// minor versions are compatible by design. Any other well-formed
// HTTP-version (RFC 9112 §2.3: "HTTP/" DIGIT "." DIGIT) gets 505, and
// anything else is not HTTP at all: 400.
func parseVersion(v string) (minor int, e *ProtocolError) {
	switch v {
	case "HTTP/1.1":
		return 1, nil
	case "HTTP/1.0":
		return 0, nil
	}
	if len(v) == 8 && v[:5] == "HTTP/" && class[v[5]]&cDigit != 0 && v[6] == '.' && class[v[7]]&cDigit != 0 {
		if v[5] == '1' {
			return 1, nil // HTTP/1.2 and up: answered as 1.1
		}
		return 0, errVersionNS
	}
	return 0, errVersion
}

// parseTarget recognises the request-target forms of RFC 9112 §3.2 and
// fills Path, RawQuery and, for absolute-form, Host.
//
//	form            example                  accepted when
//	origin-form     /where?q=now             always            §3.2.1
//	absolute-form   http://host/where?q=now  scheme http/https §3.2.2
//	asterisk-form   *                        method is OPTIONS §3.2.4
//	authority-form  host:443                 never (CONNECT: 501 earlier) §3.2.3
func parseTarget(method, target string, h *Head) *ProtocolError {
	var rest string
	absolute := true
	switch {
	case target[0] == '/':
		rest, absolute = target, false
	case target == "*":
		if method != "OPTIONS" {
			return errAsterisk
		}
		h.Path = target
		return nil
	case HasPrefixFold(target, "http://"):
		rest = target[len("http://"):]
	case HasPrefixFold(target, "https://"):
		rest = target[len("https://"):]
	default:
		return errTargetForm
	}

	if absolute {
		// The authority runs up to the first '/' or '?' (RFC 3986 §3.2).
		end := strings.IndexAny(rest, "/?")
		if end < 0 {
			end = len(rest)
		}
		authority := rest[:end]
		if strings.IndexByte(authority, '@') >= 0 {
			// RFC 9110 §4.2.4: a recipient SHOULD treat userinfo in an
			// http(s) URI as an error; it is a phishing and confusion tool.
			return errUserinfo
		}
		host, ok := splitHostPort(authority)
		if !ok || host == "" {
			return errAuthority // RFC 9110 §4.2.1: empty host MUST be rejected
		}
		h.Host = authority
		rest = rest[end:]
	}

	path, query, _ := strings.Cut(rest, "?")
	if path == "" {
		path = "/" // "http://host?q": the path of an empty path is "/" (RFC 9112 §3.2.1)
	}
	if !validPercent(path) {
		// The router decodes the path; refuse now what it could not decode.
		// The query is left alone: sloppy "%" in queries is common, and
		// the query decoder of the application deals with it.
		return errPercent
	}
	h.Path, h.RawQuery = path, query
	return nil
}

// validPercent reports whether every '%' in s starts a pct-encoded triplet,
// "%" HEXDIG HEXDIG (RFC 3986 §2.1).
func validPercent(s string) bool {
	for i := strings.IndexByte(s, '%'); i >= 0; {
		if i+2 >= len(s) || class[s[i+1]]&cHex == 0 || class[s[i+2]]&cHex == 0 {
			return false
		}
		j := strings.IndexByte(s[i+3:], '%')
		if j < 0 {
			break
		}
		i += 3 + j
	}
	return true
}
