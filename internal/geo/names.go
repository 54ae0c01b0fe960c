package geo

//go:generate go run ./internal/gennames -o names_gen.go

// countryName is one row of the generated table.
type countryName struct {
	code, en, fr string
}

// Languages for country and city names.
const (
	langEN = iota
	langFR
)

// namesByCode indexes countryTable by the two letters of a code.
var namesByCode = func() (t [26 * 26]*countryName) {
	for i := range countryTable {
		c := &countryTable[i]
		t[codeIndex(c.code)] = c
	}
	return t
}()

func codeIndex(code string) int {
	return int(code[0]-'A')*26 + int(code[1]-'A')
}

// countryNameOf returns the name of an upper-case ISO 3166-1 alpha-2 code
// in lang, or "" for a code the table does not know.
func countryNameOf(code string, lang int) string {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return ""
	}
	c := namesByCode[codeIndex(code)]
	switch {
	case c == nil:
		return ""
	case lang == langFR:
		return c.fr
	default:
		return c.en
	}
}
