package middleware

import (
	"net/netip"
	"strings"
	"testing"
)

func mustPrefixes(t testing.TB, s string) []netip.Prefix {
	t.Helper()
	p, err := ParseTrustedProxies(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestClientIP(t *testing.T) {
	// nginx on this host and a load balancer in 10.0.0.0/8 are trusted.
	trusted := mustPrefixes(t, "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8")
	tests := []struct {
		name   string
		peer   string
		header string
		values []string
		want   string // "" leaves RemoteAddr alone
		bad    bool   // a value could not be read
	}{
		// Who may speak.
		{"untrusted peer: header ignored", "203.0.113.9:5000", "", []string{"198.51.100.1"}, "", false},
		{"untrusted peer spoofing a trusted chain", "203.0.113.9:5000", "", []string{"127.0.0.1, 10.1.2.3"}, "", false},
		{"trusted peer, no header", "127.0.0.1:5000", "", nil, "", false},
		{"trusted peer, one hop", "127.0.0.1:5000", "", []string{"198.51.100.1"}, "198.51.100.1", false},
		{"peer that is not ip:port", "memory", "", []string{"198.51.100.1"}, "", false},

		// The rightmost-untrusted rule.
		{"spoofed left part is skipped", "127.0.0.1:5000", "", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1", false},
		{"trusted hops on the right are skipped", "127.0.0.1:5000", "", []string{"1.2.3.4, 198.51.100.1, 10.0.0.5, 10.0.0.6"}, "198.51.100.1", false},
		{"repeated header lines join in order", "127.0.0.1:5000", "", []string{"1.2.3.4", "198.51.100.1, 10.0.0.5"}, "198.51.100.1", false},
		{"every hop trusted: the leftmost", "127.0.0.1:5000", "", []string{"10.0.0.7, 10.0.0.5"}, "10.0.0.7", false},
		{"spaces and a port", "127.0.0.1:5000", "", []string{"  198.51.100.1:4711  "}, "198.51.100.1", false},

		// Malformed values stop the walk at the last trusted hop.
		{"garbage", "127.0.0.1:5000", "", []string{"not-an-ip"}, "", true},
		{"garbage left of an untrusted hop is never read", "127.0.0.1:5000", "", []string{"junk, 198.51.100.1"}, "198.51.100.1", false},
		{"garbage right of trusted hops", "127.0.0.1:5000", "", []string{"198.51.100.1, 10.0.0.5, junk"}, "", true},
		{"garbage behind a trusted hop", "127.0.0.1:5000", "", []string{"198.51.100.1, junk, 10.0.0.5"}, "10.0.0.5", true},
		{"empty value", "127.0.0.1:5000", "", []string{""}, "", true},
		{"empty element", "127.0.0.1:5000", "", []string{"198.51.100.1,"}, "", true},
		{"IPv6 zone", "127.0.0.1:5000", "", []string{"fe80::1%eth0"}, "", true},
		{"CIDR is not an address", "127.0.0.1:5000", "", []string{"198.51.100.0/24"}, "", true},

		// IPv6.
		{"IPv6 peer and client", "[::1]:5000", "", []string{"2001:db8::7"}, "2001:db8::7", false},
		{"IPv6 client with port", "[::1]:5000", "", []string{"[2001:db8::7]:4711"}, "2001:db8::7", false},
		{"IPv6 client in brackets", "[::1]:5000", "", []string{"[2001:db8::7]"}, "2001:db8::7", false},
		{"IPv6 trusted hop skipped", "[::1]:5000", "", []string{"2001:db8::7, fd00::2"}, "2001:db8::7", false},
		{"IPv4-mapped peer is trusted", "[::ffff:127.0.0.1]:5000", "", []string{"198.51.100.1"}, "198.51.100.1", false},
		{"IPv4-mapped hop becomes IPv4", "127.0.0.1:5000", "", []string{"::ffff:198.51.100.1"}, "198.51.100.1", false},
		{"untrusted IPv6 peer", "[2001:db8::9]:5000", "", []string{"198.51.100.1"}, "", false},

		// Forwarded (RFC 7239).
		{"Forwarded", "127.0.0.1:5000", "Forwarded", []string{"for=198.51.100.1;proto=https"}, "198.51.100.1", false},
		{"Forwarded, spoofed element skipped", "127.0.0.1:5000", "Forwarded", []string{`for=1.2.3.4, for="198.51.100.1:4711";by=10.0.0.5`}, "198.51.100.1", false},
		{"Forwarded IPv6", "127.0.0.1:5000", "Forwarded", []string{`for="[2001:db8:cafe::17]:4711"`}, "2001:db8:cafe::17", false},
		{"Forwarded quoted comma", "127.0.0.1:5000", "Forwarded", []string{`for=198.51.100.1;x="a,b"`}, "198.51.100.1", false},
		{"Forwarded case-insensitive key", "127.0.0.1:5000", "Forwarded", []string{"For=198.51.100.1"}, "198.51.100.1", false},
		{"Forwarded obfuscated node", "127.0.0.1:5000", "Forwarded", []string{"for=_hidden"}, "", true},
		{"Forwarded unknown", "127.0.0.1:5000", "Forwarded", []string{"for=unknown"}, "", true},
		{"Forwarded element without for", "127.0.0.1:5000", "Forwarded", []string{"proto=https"}, "", true},

		// X-Real-IP: one value from one proxy.
		{"X-Real-IP", "127.0.0.1:5000", "X-Real-IP", []string{"198.51.100.1"}, "198.51.100.1", false},
		{"X-Real-IP twice", "127.0.0.1:5000", "X-Real-IP", []string{"1.2.3.4", "198.51.100.1"}, "", true},
		{"X-Real-IP list is malformed", "127.0.0.1:5000", "X-Real-IP", []string{"1.2.3.4, 198.51.100.1"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := tt.header
			if header == "" {
				header = "X-Forwarded-For"
			}
			ip, bad := clientIP(tt.peer, tt.values, header, trusted)
			got := ""
			if ip.IsValid() {
				got = ip.String()
			}
			if got != tt.want || (bad != "") != tt.bad {
				t.Errorf("clientIP(%q, %q) = %q, bad %q; want %q, bad %v", tt.peer, tt.values, got, bad, tt.want, tt.bad)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{"", "", ""},
		{" , ", "", ""},
		{"127.0.0.1", "127.0.0.1/32", ""},
		{"10.1.2.3/8, ::1", "10.0.0.0/8 ::1/128", ""},
		{"::ffff:127.0.0.1", "127.0.0.1/32", ""},
		{"fd00::/8", "fd00::/8", ""},
		{"localhost", "", `"localhost" is not an IP address`},
		{"10.0.0.0/33", "", `"10.0.0.0/33" is not a CIDR prefix`},
		{"fe80::1%eth0", "", "is not an IP address"},
	}
	for _, tt := range tests {
		p, err := ParseTrustedProxies(tt.in)
		var parts []string
		for _, x := range p {
			parts = append(parts, x.String())
		}
		got := strings.Join(parts, " ")
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseTrustedProxies(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseTrustedProxies(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzClientIP checks that no header value crashes the parser, and that
// whatever it returns is an address the header or the trusted list
// holds.
func FuzzClientIP(f *testing.F) {
	for _, s := range []string{"198.51.100.1", "1.2.3.4, 10.0.0.5", `for="[2001:db8::1]:80";by=x, for=_y`, `for="a\"b,c"`, "[", ",,,", "::ffff:1.2.3.4"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	trusted := mustPrefixes(f, "127.0.0.1, 10.0.0.0/8")
	f.Fuzz(func(t *testing.T, v string, forwarded bool) {
		header := "X-Forwarded-For"
		if forwarded {
			header = "Forwarded"
		}
		ip, _ := clientIP("127.0.0.1:1", []string{v}, header, trusted)
		if ip.IsValid() && ip.Zone() != "" {
			t.Errorf("clientIP(%q) = %v, with a zone", v, ip)
		}
	})
}
