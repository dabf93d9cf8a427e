package main

import (
	"fmt"
	"net"
)

// The seed's first lesson, before any HTTP: a TCP server that answers
// "Yes" to whoever asks "can you hear me?", using only package net. serve
// and ask are the two halves of this chapter's program.
func Example_canYouHearMe() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	done := make(chan error, 1)
	go func() { done <- serve(ln) }()

	answer, err := ask(ln.Addr().String(), "can you hear me?")
	if err != nil {
		panic(err)
	}
	fmt.Println(answer)

	ln.Close()
	<-done
	// Output: Yes
}
