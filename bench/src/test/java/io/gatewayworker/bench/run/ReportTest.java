package io.gatewayworker.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void jsonWritesNumbersPlainlyAndEscapesStrings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rate", 12345.678);
        m.put("small", 0.0123456);
        m.put("whole", 3.0);
        m.put("nan", Double.NaN);
        m.put("count", 7L);
        m.put("text", "a \"quoted\"\nline");
        m.put("list", List.of(true, "x"));
        assertEquals("{\"rate\":12350,\"small\":0.01235,\"whole\":3,\"nan\":null,\"count\":7,"
                + "\"text\":\"a \\\"quoted\\\"\\nline\",\"list\":[true,\"x\"]}", Json.write(m));
    }

    @Test
    void answerFieldsWithAnErrorThatTakesTheRestOfTheLine() {
        Map<String, String> f = LoadProcess.fields(" opened=9 failed=1 open=9 millis=12 error=ConnectException: refused here");
        assertEquals("9", f.get("opened"));
        assertEquals("1", f.get("failed"));
        assertEquals("ConnectException: refused here", f.get("error"));
    }

    @Test
    void tableCellsFormatNumbersAndStrings() {
        assertEquals("12,346", Report.format(12345.6, 0));
        assertEquals("0.123", Report.format(0.12345, 3));
        assertEquals("-", Report.format(Double.NaN, 2));
        assertEquals("-", Report.format(null, 2));
        assertEquals("0 / 0 / 0", Report.format("0 / 0 / 0", 0));
    }
}
