// Package image tests the container image that deploy/image/build makes: built with
// Debian's buildah, run with Debian's podman, it serves the demo and answers its
// probes, and holds nothing but the static binary, the CA certificates and one
// non-root user.
package image
