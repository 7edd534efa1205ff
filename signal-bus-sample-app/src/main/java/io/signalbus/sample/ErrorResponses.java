package io.signalbus.sample;

import io.signalbus.InvalidOptionException;
import io.signalbus.InvalidPatternException;
import io.signalbus.InvalidSignalException;
import io.signalbus.SignalBusException;
import io.signalbus.SubscriptionNotFoundException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Maps bus errors to HTTP: bad input is 400, an unknown subscription 404, the rest 500. */
@RestControllerAdvice
class ErrorResponses {

    @ExceptionHandler({ InvalidSignalException.class, InvalidPatternException.class, InvalidOptionException.class,
            IllegalArgumentException.class })
    ProblemDetail badRequest(RuntimeException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(SubscriptionNotFoundException.class)
    ProblemDetail notFound(SubscriptionNotFoundException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler(SignalBusException.class)
    ProblemDetail failed(SignalBusException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, e.getMessage());
    }
}
