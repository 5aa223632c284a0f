// ParsingForm prints, for each schema on standard input (one JSON string
// holding the schema's text per line), Apache Avro Java's Parsing Canonical
// Form fingerprint (SchemaNormalization.parsingFingerprint64, what
// BinaryMessageEncoder writes in single-object encoding) in 16 hex digits,
// a tab, and the form (SchemaNormalization.toParsingForm). Run by
// generate.py; see there.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.codehaus.jackson.map.ObjectMapper;

public class ParsingForm {
  public static void main(String[] args) throws Exception {
    ObjectMapper json = new ObjectMapper();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    for (String line; (line = in.readLine()) != null; ) {
      Schema s = new Schema.Parser().parse(json.readValue(line, String.class));
      System.out.printf("%016x\t%s%n", SchemaNormalization.parsingFingerprint64(s),
          SchemaNormalization.toParsingForm(s));
    }
  }
}
