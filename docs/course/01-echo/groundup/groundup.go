// Package groundup is exercise 1's reference: the server and client of
// chapter 1 (docs/ch01/main.go), behind the exercise's interface. The
// chapter's program is a command, which Go cannot import, so its two
// functions stand here in the same form.
package groundup

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/groundup-go/groundup/docs/course/01-echo/echo"
)

// Serve is echo.Serve as chapter 1 writes it.
func Serve(ln net.Listener) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		wg.Go(func() { handle(conn) })
	}
}

func handle(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := bufio.NewReader(io.LimitReader(conn, echo.MaxLine)).ReadString('\n'); err != nil {
		return
	}
	io.WriteString(conn, "Yes\n")
}

// Ask is echo.Ask as chapter 1 writes it.
func Ask(addr, msg string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, msg+"\n"); err != nil {
		return "", err
	}
	answer, err := bufio.NewReader(io.LimitReader(conn, echo.MaxLine)).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("reading the answer: %w", err)
	}
	return strings.TrimSuffix(answer, "\n"), nil
}
