//go:build !unix

package mongotest

// lockFile does not lock where flock is missing: parallel processes may then build
// FerretDB twice, which costs time but stays correct, as each build lands by rename.
func lockFile(string) (unlock func(), err error) {
	return func() {}, nil
}
