package link

// Scheme signs and verifies the signatures of links in one format: pwreset's own
// (Signer) or django-rest-registration's (DjangoSigner), chosen by LINK_SIGNATURE.
type Scheme interface {
	// Sign returns the signature of c with the current key.
	Sign(c Claims) string
	// Verify reports whether signature is valid for c under any key. Anything
	// malformed is simply not valid.
	Verify(c Claims, signature string) bool
}

var (
	_ Scheme = (*Signer)(nil)
	_ Scheme = (*DjangoSigner)(nil)
)
