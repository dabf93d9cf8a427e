package framework

import (
	"errors"
	"fmt"
	"testing"
)

func TestPublicMessage(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a 4xx message", NewError(404, `no entry with id "3"`), `no entry with id "3"`},
		{"a 4xx without message", NewError(400, ""), "Bad Request"},
		{"a 5xx message stays inside", &HTTPError{Code: 500, Message: "db password is hunter2"}, "Internal Server Error"},
		{"a 503 message stays inside", NewError(503, "replica lag 4s"), "Service Unavailable"},
		{"a plain error", errors.New("disk on fire"), "Internal Server Error"},
		{"a wrapped 4xx", fmt.Errorf("loading: %w", NewError(422, "name is required")), "name is required"},
		{"a 4xx wrapping a secret", &HTTPError{Code: 403, Message: "not yours", Err: errors.New("owner 17")}, "not yours"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PublicMessage(tc.err); got != tc.want {
				t.Errorf("PublicMessage(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}
