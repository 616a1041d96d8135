package io.hourglass.server.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.server.queue.QueueException;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLaterException;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one place where failures become wire error codes. */
class ThriftErrorsTest {

  @Test
  void everyInternalKindHasItsOwnWireCode() {
    Set<ErrorCode> seen = EnumSet.noneOf(ErrorCode.class);
    for (QueueException.Kind kind : QueueException.Kind.values()) {
      PinLaterException e = ThriftErrors.translate("rpc", new QueueException(kind, "field: problem"));
      assertTrue(seen.add(e.getErrorCode()), kind + " shares " + e.getErrorCode());
      assertEquals("field: problem", e.getMessage());
    }
    assertEquals(EnumSet.allOf(ErrorCode.class), seen, "every wire code can be produced");
  }

  @Test
  void unexpectedFailureIsUnknownAndNamesTheRpc() {
    PinLaterException e = ThriftErrors.translate("scanJobs", new IllegalStateException("boom"));
    assertEquals(ErrorCode.UNKNOWN, e.getErrorCode());
    assertTrue(e.getMessage().contains("scanJobs") && e.getMessage().contains("boom"), e.getMessage());
  }

  @Test
  void pinLaterExceptionsPassThroughUnchanged() {
    PinLaterException original = new PinLaterException(ErrorCode.PASSWORD_INVALID, "password: wrong");
    assertSame(original, ThriftErrors.translate("deleteQueue", original));
  }
}
