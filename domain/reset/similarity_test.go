package reset_test

import (
	"slices"
	"testing"

	"github.com/pwreset/pwreset/domain/policy"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

func TestAttributes(t *testing.T) {
	tests := []struct {
		name string
		user ports.User
		want []policy.Attribute
	}{
		{"Django's order", ports.User{Logins: []ports.Field{{Name: "username", Value: "kathrin.o"}},
			FirstName: "Kathrin", LastName: "Oberhauser", Email: "k@example.com"},
			[]policy.Attribute{{Name: "username", Value: "kathrin.o"}, {Name: "first name", Value: "Kathrin"},
				{Name: "last name", Value: "Oberhauser"}, {Name: "email address", Value: "k@example.com"}}},
		{"a login field holding the address is the email address", ports.User{Logins: []ports.Field{
			{Name: "username", Value: "kathrin.o"}, {Name: "email", Value: "k@example.com"}}, Email: "k@example.com"},
			[]policy.Attribute{{Name: "username", Value: "kathrin.o"}, {Name: "first name"}, {Name: "last name"},
				{Name: "email address", Value: "k@example.com"}}},
		{"field names as Django's verbose names", ports.User{Logins: []ports.Field{{Name: "member_code", Value: "M-17"}}},
			[]policy.Attribute{{Name: "member code", Value: "M-17"}, {Name: "first name"}, {Name: "last name"}, {Name: "email address"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reset.Attributes(tt.user); !slices.Equal(got, tt.want) {
				t.Errorf("Attributes(%+v) = %v, want %v", tt.user, got, tt.want)
			}
		})
	}
}
