// goget: the Go peer of `make bench`. One GET with net/http's default
// client, verification on, trusting only the CA file given, the body copied
// to stdout. Built static by the Makefile (CGO_ENABLED=0) with Debian's Go.
//
//	goget -cacert CA.pem URL
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
)

func main() {
	cacert := flag.String("cacert", "", "trust only the CA certificates in this PEM file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: goget [-cacert FILE] URL")
		os.Exit(2)
	}
	client := http.DefaultClient
	if *cacert != "" {
		pem, err := os.ReadFile(*cacert)
		if err != nil {
			fmt.Fprintln(os.Stderr, "goget:", err)
			os.Exit(77)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fmt.Fprintln(os.Stderr, "goget: no certificate in", *cacert)
			os.Exit(77)
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
		client = &http.Client{Transport: tr}
	}
	resp, err := client.Get(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "goget:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "goget: status", resp.Status)
		os.Exit(22)
	}
	if _, err := io.Copy(os.Stdout, resp.Body); err != nil {
		fmt.Fprintln(os.Stderr, "goget:", err)
		os.Exit(56)
	}
}
