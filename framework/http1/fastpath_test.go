package http1

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// fastPathCases are heads that sit on the edges of the fast path: names,
// values, targets and Host values around the eight-byte words the scans
// read, the 512 bytes after which scan.head checks that the head has ended,
// and the 32 field lines it records.
func fastPathCases() []string {
	var in []string
	for n := 1; n <= 17; n++ {
		name := strings.Repeat("N", n)
		value := strings.Repeat("v", n)
		in = append(in,
			"GET / HTTP/1.1\r\nHost: h\r\n"+name+": "+value+"\r\n\r\n",
			"GET / HTTP/1.1\r\nHost: h\r\n"+name+":"+value+" \t\r\n\r\n",
			"GET / HTTP/1.1\r\nHost: h\r\nX: "+value+"\tw\r\n\r\n",
			"GET /"+value+" HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /"+value+"%2F HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /"+value+"%2 HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /"+value+"% HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /"+value+"%zz HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /"+value+"#f HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /"+value+"\x7f HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /p?"+value+"?%#x HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /p?"+value+"%zz HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /p?"+value+" HTTP/1.0\r\n\r\n",
			"GET / HTTP/1.1\r\nHost: "+value+"\r\n\r\n",
			"GET / HTTP/1.1\r\nHost: "+value+":8080\r\n\r\n",
			"GET / HTTP/1.1\r\nHost: "+value+":80:81\r\n\r\n",
			"GET / HTTP/1.1\r\nHost: "+value+"^\r\n\r\n",
			"GET / HTTP/1.1\r\nHost: "+value+"\r\n\r\nGET / HTTP/1.1\r\n",
		)
	}
	var many strings.Builder
	many.WriteString("GET / HTTP/1.1\r\nHost: h\r\n")
	for i := range 40 {
		many.WriteString("X-" + strings.Repeat("a", i) + ": " + strings.Repeat("b", i) + "\r\n")
		in = append(in, many.String()+"\r\n", many.String()+"Bad Name: x\r\n\r\n", many.String())
	}
	long := "GET / HTTP/1.1\r\nHost: h\r\nCookie: " + strings.Repeat("c", 600) + "\r\n"
	in = append(in, long+"\r\n", long+"X: \x00\r\n\r\n", long, long+" fold\r\n\r\n", long+"\r\nbody", long+"X: \x00\r\n\r\nbody",
		long+"X: y\nZ: z\r\n\r\nbody", strings.Replace(long, "Host: h", "Host: h\x00", 1)+"\r\nbody")
	for _, host := range []string{"Host: h", "Host: :80", "Host: h:", "Host: h:8x", "Host: [::1]:80", "Host:  h", "Host: h ",
		"Host:\th", "Host:h", "host: h", "HOST: h", "Host: h\r\nHost: h", "X: y\r\nHost: h", "Host: ", "Host: h%41", "Host: h\x00",
		"Host: h\n", "Host: h\r", "Host: 12345678.example:65535", "Host: " + strings.Repeat("h", 600)} {
		in = append(in, "GET / HTTP/1.1\r\n"+host+"\r\n\r\n", "GET / HTTP/1.0\r\n"+host+"\r\nX: y\r\n\r\n")
	}
	for _, v := range []string{"HTTP/1.1", "HTTP/1.0", "HTTP/1.2", "HTTP/2.0", "HTTP/1.1 ", "HTTP/1.", "http/1.1"} {
		in = append(in, "GET / "+v+"\r\nHost: h\r\n\r\n")
	}
	for _, m := range []string{"GET", "CONNECT", "OPTIONS", "M-SEARCH", "G(T", ""} {
		in = append(in, m+" / HTTP/1.1\r\nHost: h\r\n\r\n", m+" * HTTP/1.1\r\nHost: h\r\n\r\n",
			m+" http://h/p?q HTTP/1.1\r\nHost: h\r\n\r\n")
	}
	return in
}

// TestFastPath checks that the fast path and the exact path give the same
// answer (the bytes consumed, the error and the whole Head) for every row
// of the byte tables, every prefix of each, and the edges of the fast path.
func TestFastPath(t *testing.T) {
	inputs := append([]string{browserGET}, fastPathCases()...)
	for _, tc := range okCases {
		inputs = append(inputs, tc.in)
	}
	for _, tc := range badCases {
		inputs = append(inputs, tc.in)
	}
	for _, tc := range needMoreCases {
		inputs = append(inputs, tc.in)
	}
	// The heads the fast path is for do take it.
	for _, in := range []string{browserGET, "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nCookie: " + strings.Repeat("c", 600) + "\r\n\r\n", strings.Repeat("GET /?q HTTP/1.0\r\nX: y\r\n\r\n", 2)} {
		var sc scan
		if end := sc.head([]byte(in), Limits{}.withDefaults()); end == 0 || end > len(in) || in[end-4:end] != "\r\n\r\n" {
			t.Errorf("scan.head(%q) = %d, want the end of the first head", in, end)
		}
		if strings.Contains(in, "\r\nHost: ") != sc.hostChecked {
			t.Errorf("scan.head(%q): hostChecked = %v", in, sc.hostChecked)
		}
	}
	for _, in := range inputs {
		for k := 0; k <= len(in); k++ {
			compareFastPath(t, []byte(in[:k]), Limits{})
		}
		compareFastPath(t, []byte(in), Limits{MaxURIBytes: 8, MaxHeaderCount: 3})
	}
}

// compareFastPath parses data with and without the fast path and fails on
// any difference.
func compareFastPath(t testing.TB, data []byte, lim Limits) {
	t.Helper()
	var fast, exact Head
	lim = lim.withDefaults()
	n1, err1 := parse(data, lim, &fast, nil, true)
	n2, err2 := parse(data, lim, &exact, nil, false)
	if err1 != nil {
		fast.Reset()
	}
	if err2 != nil {
		exact.Reset()
	}
	if n1 != n2 || !errors.Is(err1, err2) || !reflect.DeepEqual(fast, exact) {
		t.Fatalf("%q: fast path %d, %v, %#v\nexact path %d, %v, %#v", data, n1, err1, fast, n2, err2, exact)
	}
}
