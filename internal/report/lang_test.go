package report

import (
	"reflect"
	"testing"
)

// Every language says everything: a word left out of one table would
// print as an empty heading, or a nil func would panic mid-report.
func TestMessageTablesComplete(t *testing.T) {
	for name, table := range map[string]any{
		"english": english, "french": french, "watchEnglish": watchEnglish, "watchFrench": watchFrench,
	} {
		v := reflect.ValueOf(table).Elem()
		for i := range v.NumField() {
			if v.Field(i).IsZero() {
				t.Errorf("%s.%s is not set", name, v.Type().Field(i).Name)
			}
		}
	}
	if english.watch != watchEnglish || french.watch != watchFrench {
		t.Error("a report's alarms speak another language than the report")
	}
}
