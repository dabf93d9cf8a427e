package main

import (
	"strings"
	"testing"
	"time"
)

func TestBodyLen(t *testing.T) {
	tests := []struct {
		head string
		want int
	}{
		{"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0},
		{"POST /echo HTTP/1.1\r\nContent-Length: 4096\r\n\r\n", 4096},
		{"POST /echo HTTP/1.1\r\ncontent-length:12\r\n\r\n", 12},
		{"POST /echo HTTP/1.1\r\nContent-Length: x\r\n\r\n", 0},
		{"POST /echo HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n", 0},
	}
	for _, tt := range tests {
		if got := bodyLen([]byte(tt.head)); got != tt.want {
			t.Errorf("bodyLen(%q) = %d, want %d", tt.head, got, tt.want)
		}
	}
}

func TestRespond(t *testing.T) {
	setDate(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	tests := []struct {
		head, body, want string
	}{
		{"GET /plaintext HTTP/1.1\r\n\r\n", "", "HTTP/1.1 200 OK\r\nServer: raw-http\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\nHello, World!"},
		{"GET /user/bench HTTP/1.1\r\n\r\n", "", "Content-Length: 13\r\n\r\nHello, bench!"},
		{"POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\n", "abc", "Content-Type: application/octet-stream\r\nContent-Length: 3\r\n\r\nabc"},
		{"GET /nope HTTP/1.1\r\n\r\n", "", "HTTP/1.1 404 Not Found\r\n"},
	}
	for _, tt := range tests {
		got := string(respond(nil, []byte(tt.head), []byte(tt.body)))
		if !strings.Contains(got, tt.want) {
			t.Errorf("respond(%q) = %q, want it to contain %q", tt.head, got, tt.want)
		}
	}
}
