package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/xeipuuv/gojsonschema"
)

// validateValues checks the merged values against the chart's values.schema.json, as Helm
// does before rendering (Helm uses the same validator library), and reports every violation
// with its path and the schema's message. A chart without a schema accepts any values.
func validateValues(chartDir, chartName string, values Values) error {
	schemaText, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	// Through JSON, so the document is what Helm validates (YAML maps become objects).
	document, err := json.Marshal(values)
	if err != nil {
		return fmt.Errorf("values: %w", err)
	}
	result, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schemaText),
		gojsonschema.NewBytesLoader(document))
	if err != nil {
		return fmt.Errorf("%s/values.schema.json: %w", chartName, err)
	}
	if result.Valid() {
		return nil
	}
	var out strings.Builder
	fmt.Fprintf(&out, "values don't meet the specifications of the schema(s) in the following chart(s):\n%s:\n", chartName)
	for _, problem := range result.Errors() {
		fmt.Fprintf(&out, "- %s\n", problem)
	}
	return errors.New(strings.TrimSuffix(out.String(), "\n"))
}
