package page

// Sizes are the bodies of GET /bytes/{size}, by the path's last segment:
// every server answers them with the same bytes, application/octet-stream.
var Sizes = map[string]int{"4k": 4 << 10, "64k": 64 << 10, "1m": 1 << 20}

// Bytes returns n bytes of a fixed printable pattern: the body of
// GET /bytes/{size} for n = Sizes[size].
func Bytes(n int) []byte {
	const pattern = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/\n"
	b := make([]byte, n)
	for i := range b {
		b[i] = pattern[i%len(pattern)]
	}
	return b
}
