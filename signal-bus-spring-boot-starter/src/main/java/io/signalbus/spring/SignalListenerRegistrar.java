package io.signalbus.spring;

import io.signalbus.PartitionKey;
import io.signalbus.SignalBus;
import io.signalbus.SignalBusException;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.json.SignalJson;
import io.signalbus.router.SignalPattern;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * Finds {@link SignalListener} methods as beans are created, resolves and validates them at once (so
 * a bad pattern fails the startup naming the bean and method), subscribes them when the context starts
 * (those with {@code autoStartup}) and unsubscribes them, flushing checkpoints, before the buses
 * close. It is also the {@link SignalListenerRegistry}.
 */
class SignalListenerRegistrar implements BeanPostProcessor, SmartLifecycle, BeanFactoryAware, SignalListenerRegistry {

    private static final Logger log = LoggerFactory.getLogger(SignalListenerRegistrar.class);

    /** Start after everything else (listeners may use any bean) and stop first. */
    static final int PHASE = Integer.MAX_VALUE - 1000;

    private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    /** The running listeners by id. */
    private final Map<String, Subscribed> subscribed = new LinkedHashMap<>();
    private @Nullable BeanFactory beanFactory;
    private volatile boolean running;

    /** One annotated method with its resolved subscription. */
    record Endpoint(String id, String beanName, Method method, String busName, String pattern,
            SubscribeOptions options, SignalListenerMethod handler, boolean autoStartup) {

        String describe() {
            return "@SignalListener " + beanName + "." + method.getName() + " ('" + pattern + "' on bus '" + busName
                    + "')";
        }
    }

    private record Subscribed(SignalBus bus, String subscriptionId) {
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Class<?> targetClass = AopUtils.getTargetClass(bean);
        Map<Method, SignalListener> annotated = MethodIntrospector.selectMethods(targetClass,
                (MethodIntrospector.MetadataLookup<SignalListener>) m ->
                        AnnotatedElementUtils.findMergedAnnotation(m, SignalListener.class));
        annotated.forEach((method, annotation) -> endpoints.add(endpoint(bean, beanName, method, annotation)));
        return bean;
    }

    private Endpoint endpoint(Object bean, String beanName, Method method, SignalListener annotation) {
        try {
            SignalListenerAttributes attributes = SignalListenerAttributes.resolve(annotation, beanFactory);
            String pattern = SignalPattern.compile(attributes.pattern()).value();
            SubscribeOptions options = annotation.persistent()
                    ? SubscribeOptions.persistent(attributes.subscriptionId().isEmpty()
                            ? defaultSubscriptionId(beanName, method) : attributes.subscriptionId())
                    : SubscribeOptions.defaults();
            // partitions on a transient listener fail here, naming the count, rather than being ignored
            options = options.priority(annotation.priority()).partitions(attributes.partitions());
            if (annotation.persistent()) {
                options = options.concurrency(annotation.concurrency());
                if (!attributes.partitionKey().isEmpty()) {
                    options = options.partitionKey(PartitionKey.extension(attributes.partitionKey()));
                }
                if (annotation.maxInFlight() != -1) {
                    options = options.maxInFlight(annotation.maxInFlight());
                }
                if (annotation.maxAttempts() != -1) {
                    options = options.maxAttempts(annotation.maxAttempts());
                }
                if (!attributes.startFrom().isEmpty()) {
                    options = options.startFrom(StartFrom.parse(attributes.startFrom()));
                }
                if (!attributes.ackTimeout().isEmpty()) {
                    options = options.ackTimeout(DurationStyle.detectAndParse(attributes.ackTimeout()));
                }
                options = withRetry(options, annotation, attributes);
            }
            Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
            // the mapper that wrote the data to the log converts it back
            JsonMapper mapper = Objects.requireNonNull(beanFactory, "beanFactory").getBeanProvider(SignalJson.class)
                    .getIfAvailable(SignalJson::new).mapper();
            return new Endpoint(listenerId(beanName + "." + method.getName()), beanName, method, attributes.bus(),
                    pattern, options, SignalListenerMethod.of(bean, invocable, mapper), attributes.autoStartup());
        } catch (SignalBusException | IllegalArgumentException | BeansException e) {
            throw new BeanInitializationException("invalid @SignalListener on " + beanName + "." + method.getName()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The listener's own backoff over its bus's, when it sets any. */
    private SubscribeOptions withRetry(SubscribeOptions options, SignalListener annotation,
            SignalListenerAttributes attributes) {
        var own = new BusSettings();
        if (!attributes.initialBackoff().isEmpty()) {
            own.getRetry().setInitialBackoff(DurationStyle.detectAndParse(attributes.initialBackoff()));
        }
        if (!attributes.maxBackoff().isEmpty()) {
            own.getRetry().setMaxBackoff(DurationStyle.detectAndParse(attributes.maxBackoff()));
        }
        if (annotation.backoffMultiplier() != -1) {
            own.getRetry().setMultiplier(annotation.backoffMultiplier());
        }
        if (annotation.backoffJitter() != -1) {
            own.getRetry().setJitter(annotation.backoffJitter());
        }
        if (!own.setsRetry()) {
            return options;
        }
        SignalBusProperties properties = Objects.requireNonNull(beanFactory, "beanFactory")
                .getBean(SignalBusProperties.class);
        var layers = new ArrayList<BusSettings>();
        layers.add(own);
        layers.addAll(properties.layersOf(attributes.bus()));
        return options.retry(BusSettings.retryPolicy(layers));
    }

    /** Stable across restarts: derived from the bean name and method name, never random. */
    static String defaultSubscriptionId(String beanName, String methodName) {
        String raw = beanName + "." + methodName;
        String id = raw.replaceAll("[^A-Za-z0-9_.:#-]", "_");
        return id.length() <= 200 ? id : id.substring(id.length() - 200);
    }

    private static String defaultSubscriptionId(String beanName, Method method) {
        return defaultSubscriptionId(beanName, method.getName());
    }

    /** {@code beanName.methodName}, with {@code #2}, {@code #3} … for overloads of one method. */
    private String listenerId(String name) {
        String id = name;
        for (int n = 2; endpoint(id) != null; n++) {
            id = name + "#" + n;
        }
        return id;
    }

    private @Nullable Endpoint endpoint(String id) {
        return endpoints.stream().filter(e -> e.id().equals(id)).findFirst().orElse(null);
    }

    @Override
    public synchronized void start() {
        checkForDuplicateIds();
        for (Endpoint endpoint : endpoints) {
            if (!endpoint.autoStartup()) {
                log.info("{} does not start with the application (autoStartup false)", endpoint.describe());
                continue;
            }
            try {
                subscribe(endpoint);
            } catch (SignalBusException e) {
                stop();
                throw new IllegalStateException("cannot start " + endpoint.describe() + ": " + e.getMessage(), e);
            }
        }
        running = true;
    }

    private void subscribe(Endpoint endpoint) {
        if (subscribed.containsKey(endpoint.id())) {
            return;
        }
        SignalBus bus = Objects.requireNonNull(beanFactory, "beanFactory").getBean(SignalBuses.class)
                .get(endpoint.busName());
        String id = bus.subscribe(endpoint.pattern(), endpoint.options(), endpoint.handler());
        subscribed.put(endpoint.id(), new Subscribed(bus, id));
        log.info("{} subscribed as {} '{}'", endpoint.describe(),
                endpoint.options().isPersistent() ? "persistent subscription" : "transient subscription", id);
    }

    private void unsubscribe(String listenerId) {
        Subscribed s = subscribed.remove(listenerId);
        if (s == null) {
            return;
        }
        try {
            s.bus().unsubscribe(s.subscriptionId());
        } catch (SignalBusException e) {
            log.warn("could not unsubscribe '{}' from bus '{}'", s.subscriptionId(), s.bus().name(), e);
        }
    }

    /** Two listeners cannot share one persistent subscription: the second would steal the first's deliveries. */
    private void checkForDuplicateIds() {
        var seen = new HashMap<String, Endpoint>();
        for (Endpoint endpoint : endpoints) {
            if (!endpoint.options().isPersistent()) {
                continue;
            }
            String key = endpoint.busName() + "/" + endpoint.options().subscriptionId();
            Endpoint other = seen.putIfAbsent(key, endpoint);
            if (other != null) {
                throw new IllegalStateException("subscription id '" + endpoint.options().subscriptionId()
                        + "' on bus '" + endpoint.busName() + "' is claimed by both " + other.describe() + " and "
                        + endpoint.describe() + "; give each listener its own subscriptionId");
            }
        }
    }

    @Override
    public synchronized void stop() {
        List.copyOf(subscribed.keySet()).forEach(this::unsubscribe);
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    List<Endpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    @Override
    public synchronized List<Listener> listeners() {
        return endpoints.stream().map(e -> new Listener(e.id(), e.busName(), e.pattern(),
                e.options().isPersistent() ? e.options().subscriptionId() : null, e.autoStartup(),
                subscribed.containsKey(e.id()))).toList();
    }

    @Override
    public synchronized void start(String id) {
        subscribe(required(id));
    }

    @Override
    public synchronized void stop(String id) {
        unsubscribe(required(id).id());
    }

    private Endpoint required(String id) {
        Endpoint endpoint = endpoint(id);
        if (endpoint == null) {
            throw new IllegalArgumentException("no @SignalListener with id '" + id + "'; listeners: "
                    + endpoints.stream().map(Endpoint::id).toList());
        }
        return endpoint;
    }
}
