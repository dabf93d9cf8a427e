package middleware

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/groundup-go/groundup/framework"
)

// RealIPConfig configures RealIP.
type RealIPConfig struct {
	// TrustedProxies are the addresses of the proxies in front of the
	// app, such as 127.0.0.1/32 for nginx on the same host. Only a
	// request whose connection comes from one of them has its header
	// read; ParseTrustedProxies reads a list of them.
	TrustedProxies []netip.Prefix
	// Header is the header the trusted proxies set: "X-Forwarded-For"
	// (the default), "Forwarded" (RFC 7239) or "X-Real-IP". Name the one
	// your proxy writes: the others come from the client unchecked.
	Header string
}

// RealIP makes the client's address, as the trusted proxies in front of
// the app report it, what c.RemoteAddr returns to the middleware and
// handlers after it (Logger included, when RealIP comes first).
//
// When the connection's peer is not a trusted proxy, nothing changes: a
// client that talks to the app directly cannot claim another address.
// When it is, the header's addresses are read from the right, the hop
// nearest the app, to the left: trusted proxies are skipped, and the
// first address that is not one is the client (the rightmost-untrusted
// rule; addresses further left were written by whoever sent the request
// and prove nothing). If every address is a trusted proxy, the leftmost
// is the client. A value that is not an IP address (an obfuscated
// Forwarded node, "unknown", garbage) stops the walk: the client is then
// the last trusted address read, and the request is logged at debug
// level. The address set is the bare IP, without a port.
func RealIP(cfg RealIPConfig) framework.Middleware {
	header := cfg.Header
	if header == "" {
		header = "X-Forwarded-For"
	}
	trusted := cfg.TrustedProxies
	return func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			ip, bad := clientIP(c.RemoteAddr(), headerValues(c, header), header, trusted)
			if bad != "" {
				c.Logger().Debug("realip: a forwarding header value is not an address; using the nearest trusted hop",
					"header", header, "value", bad, "remote", c.RemoteAddr())
			}
			if ip.IsValid() {
				c.SetRemoteAddr(ip.String())
			}
			return next(c)
		}
	}
}

// ParseTrustedProxies reads a comma-separated list of CIDR prefixes and
// single addresses, such as "127.0.0.1, 10.0.0.0/8, ::1". An empty list is
// valid and trusts no one.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if strings.Contains(part, "/") {
			p, err := netip.ParsePrefix(part)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not a CIDR prefix such as 10.0.0.0/8", part)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("trusted proxy %q is not an IP address or CIDR prefix", part)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// headerValues returns every value of the header, in order, across
// repeated header lines.
func headerValues(c *framework.Ctx, name string) []string {
	var out []string
	for _, f := range c.RequestHeaders() {
		if strings.EqualFold(f.Name, name) {
			out = append(out, f.Value)
		}
	}
	return out
}

// clientIP applies the rightmost-untrusted rule. peer is the connection's
// "ip:port"; values are the header's lines. It returns the client's
// address, or an invalid Addr to leave RemoteAddr alone, and the first
// value it could not read, quoted, if any.
func clientIP(peer string, values []string, header string, trusted []netip.Prefix) (ip netip.Addr, bad string) {
	ap, err := netip.ParseAddrPort(peer)
	if err != nil || !isTrusted(ap.Addr().Unmap(), trusted) || len(values) == 0 {
		return netip.Addr{}, ""
	}
	var hops []string
	for _, v := range values {
		switch {
		case strings.EqualFold(header, "Forwarded"):
			hops = append(hops, forwardedFor(v)...)
		case strings.EqualFold(header, "X-Real-IP"):
			hops = append(hops, strings.TrimSpace(v))
		default:
			for h := range strings.SplitSeq(v, ",") {
				hops = append(hops, strings.TrimSpace(h))
			}
		}
	}
	if strings.EqualFold(header, "X-Real-IP") && len(hops) > 1 {
		// One proxy sets one value; two lines mean someone added one.
		return netip.Addr{}, strconv.Quote(strings.Join(hops, ", "))
	}
	last := netip.Addr{}
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			return last, strconv.Quote(hops[i])
		}
		if !isTrusted(a, trusted) {
			return a, ""
		}
		last = a
	}
	return last, ""
}

// parseHop reads one address: "192.0.2.1", "192.0.2.1:4711", "2001:db8::1"
// or "[2001:db8::1]:4711". Zones are refused; IPv4-mapped IPv6 addresses
// become IPv4.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Addr{}, false
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() && a.Zone() == "" {
			return a.Unmap(), true
		}
		return netip.Addr{}, false
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor returns the for= value of each element of one Forwarded
// header line (RFC 7239 §4), unquoted, in order; an element without for=
// gives "". Quoted strings may hold commas and semicolons.
func forwardedFor(line string) []string {
	var out []string
	for _, elem := range splitQuoted(line, ',') {
		val := ""
		for _, pair := range splitQuoted(elem, ';') {
			k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "for") {
				continue
			}
			v = strings.TrimSpace(v)
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = strings.ReplaceAll(v[1:len(v)-1], `\`, "")
			}
			val = v
		}
		out = append(out, val)
	}
	return out
}

// splitQuoted splits s at sep outside double-quoted strings.
func splitQuoted(s string, sep byte) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
