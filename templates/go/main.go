// Command hello prints one line and exits: the smallest program worth
// shipping in a container, and the one the lab builds three ways.
//
// Standard library only, so CGO_ENABLED=0 gives a static binary that runs
// in an empty (scratch) image.
package main

import "fmt"

func main() {
	fmt.Println("Hello from a Tiny Container!")
}
