// Command fetch GETs one HTTPS URL and prints its status: the program of the
// lab's CA challenge. Built into a scratch image it fails until the image
// holds a CA bundle, because Go reads the trust store from the file system
// (/etc/ssl/certs/ca-certificates.crt on Debian and Alpine) and scratch has
// no files at all.
//
//	fetch https://example.org/
//
// Exit status: 0 on any HTTP response, 1 when the request fails, 2 on usage.
package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"
)

// bundle is where Go looks first on Linux (crypto/x509 root_linux.go);
// SSL_CERT_FILE overrides it.
const bundle = "/etc/ssl/certs/ca-certificates.crt"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: fetch https://HOST[:PORT]/PATH")
		os.Exit(2)
	}
	target := os.Args[1]

	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(target)
	if err != nil {
		// The *url.Error repeats the method and URL; print the cause once.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		fmt.Fprintf(os.Stderr, "fetch: GET %s: %v\n", target, err)
		if hint := caHint(err); hint != "" {
			fmt.Fprintf(os.Stderr, "fetch: %s\n", hint)
		}
		os.Exit(1)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	fmt.Printf("GET %s: %s (%d bytes)\n", target, resp.Status, n)
}

// caHint explains an unknown-authority error by what the image holds: either
// no bundle at all (the scratch pitfall) or a bundle without the server's CA.
func caHint(err error) string {
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		return ""
	}
	file := bundle
	if env := os.Getenv("SSL_CERT_FILE"); env != "" {
		file = env
	}
	if _, statErr := os.Stat(file); statErr != nil {
		return fmt.Sprintf("no CA bundle in this image (%s is missing): "+
			"COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/", file)
	}
	return fmt.Sprintf("the server's CA is not in %s: add it to the builder's "+
		"trust store (extra-ca/*.crt) and rebuild", file)
}
