package http1

// browserGET is a typical head as a desktop browser sends it: about 500
// bytes and 10 fields. The benchmarks and the allocation test use it.
const browserGET = "GET /articles/2024/sans-io-parsers?ref=home&page=2 HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Referer: https://www.example.com/articles/2024/\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=4f9c2a7e81b34d0e9a6c; theme=dark; consent=yes\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"\r\n"
