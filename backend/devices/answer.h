#pragma once

#include "core/result.h"

#include <QDeadlineTimer>
#include <QMutex>
#include <QString>
#include <QWaitCondition>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace simfleet::devices {

namespace detail {
// Runs `fire` at `at` on the deadline thread every link shares (no thread waits per answer).
void scheduleDeadline(std::chrono::steady_clock::time_point at, std::function<void()> fire);
Error timeoutError(const QString &eid, std::chrono::milliseconds timeout);
} // namespace detail

// What a device owes the backend for one call (DeviceLink). The link settles it when the device
// answers: at once for a device in this process, from a network thread when a device that polls
// reports (ESipa). The asking side either hands a continuation to then(), which runs when the
// answer arrives or with a "timeout" error at the deadline, with no thread waiting for it; or
// waits for it with wait(), bounded by the same timeout. Only the first outcome counts: an answer
// that arrives after its deadline is dropped. Copies share one answer.
template<typename T>
class Answer
{
    struct State;

public:
    using Continuation = std::function<void(const Result<T> &)>;

    // The link's handle on an answer it has yet to give; settle() returns false when the answer
    // was settled already (its deadline passed, say).
    class Settle
    {
    public:
        bool operator()(Result<T> result) const { return Answer::settle(m_state, std::move(result)); }

    private:
        friend class Answer;
        explicit Settle(std::shared_ptr<State> state) : m_state(std::move(state)) { }
        std::shared_ptr<State> m_state;
    };

    static std::pair<Answer, Settle> pending()
    {
        auto state = std::make_shared<State>();
        return { Answer(state), Settle(state) };
    }
    static Answer ready(Result<T> result)
    {
        auto state = std::make_shared<State>();
        state->result.emplace(std::move(result));
        return Answer(state);
    }
    // An answer a device in this process gives at once: computed on the thread that first
    // collects it (wait or then), so answers asked of many devices are computed by whichever
    // threads collect them, without handing work between threads.
    static Answer deferred(std::function<Result<T>()> compute)
    {
        auto state = std::make_shared<State>();
        state->compute = std::move(compute);
        return Answer(state);
    }

    // The timeout counts from the instant `from` gives, when that is later than the wait or the
    // continuation began: a link that hands the request to the device later than it was asked
    // (an eIM, when the device checks in) gives the device its whole timeout from then. Set it
    // before wait() or then(); map() passes it on.
    const Answer &countingFrom(std::function<std::chrono::steady_clock::time_point()> from) const
    {
        QMutexLocker lock(&m_state->mutex);
        m_state->countsFrom = std::move(from);
        return *this;
    }

    // Blocks at most `timeout` (a deferred answer is computed now, whatever the timeout).
    Result<T> wait(std::chrono::milliseconds timeout, const QString &eid) const
    {
        computeIfDeferred();
        State &s = *m_state;
        QMutexLocker lock(&s.mutex);
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!s.result) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0 || !s.settled.wait(&s.mutex, QDeadlineTimer(left.count()))) {
                if (!s.result) {
                    if (const auto later = laterDeadline(s, timeout)) {
                        deadline = *later;
                        continue;
                    }
                    lock.unlock();
                    settle(m_state, detail::timeoutError(eid, timeout));
                    lock.relock();
                }
            }
        }
        return *s.result;
    }

    // Runs `done` once: with the answer when it arrives (on the thread that settles it, or this
    // one if it is there already), or with a "timeout" error after `timeout`.
    void then(std::chrono::milliseconds timeout, const QString &eid, Continuation done) const
    {
        computeIfDeferred();
        State &s = *m_state;
        {
            QMutexLocker lock(&s.mutex);
            if (!s.result) {
                s.continuation = std::move(done);
                // The deadline keeps the answer until it is due: the continuation runs even when
                // nobody else holds the answer any more.
                expireAt(m_state, std::chrono::steady_clock::now() + timeout, eid, timeout);
                return;
            }
        }
        done(*s.result);
    }

    bool isSettled() const
    {
        QMutexLocker lock(&m_state->mutex);
        return m_state->result.has_value();
    }

    // The answer this one's value makes (the device's bytes decoded, say): f runs when this
    // answer arrives, on the thread that settles it, or for a deferred answer on the thread that
    // collects the result; an error passes through unchanged. The result keeps its own deadline,
    // set by whoever waits for it or continues from it.
    template<typename U, typename F>
    Answer<U> map(F f) const
    {
        const auto apply = [f = std::move(f)](const Result<T> &r) -> Result<U> { return r ? f(r.value()) : Result<U>(r.error()); };
        {
            QMutexLocker lock(&m_state->mutex);
            if (m_state->compute && !m_state->computing) {
                return Answer<U>::deferred([inner = *this, apply] {
                    inner.computeIfDeferred();
                    return apply(inner.settledResult());
                });
            }
        }
        auto [mapped, settle] = Answer<U>::pending();
        {
            QMutexLocker lock(&m_state->mutex);
            if (m_state->countsFrom)
                mapped.countingFrom(m_state->countsFrom);
        }
        whenSettled([settle = settle, apply](const Result<T> &r) { settle(apply(r)); });
        return mapped;
    }

private:
    // The deadline `from` moves the timeout to, when it is still ahead; called with s.mutex held.
    static std::optional<std::chrono::steady_clock::time_point> laterDeadline(const auto &s, std::chrono::milliseconds timeout)
    {
        if (!s.countsFrom)
            return std::nullopt;
        const auto later = s.countsFrom() + timeout;
        if (later <= std::chrono::steady_clock::now())
            return std::nullopt;
        return later;
    }

    // Fails the answer with a timeout at `at`, or later when countingFrom moved its start.
    static void expireAt(std::shared_ptr<State> state, std::chrono::steady_clock::time_point at, const QString &eid,
                         std::chrono::milliseconds timeout)
    {
        detail::scheduleDeadline(at, [state, eid, timeout] {
            std::optional<std::chrono::steady_clock::time_point> later;
            {
                QMutexLocker lock(&state->mutex);
                if (state->result)
                    return;
                later = laterDeadline(*state, timeout);
            }
            if (later)
                expireAt(state, *later, eid, timeout);
            else
                settle(state, detail::timeoutError(eid, timeout));
        });
    }

    struct State
    {
        QMutex mutex;
        QWaitCondition settled;
        std::optional<Result<T>> result;
        std::function<Result<T>()> compute; // a deferred answer not yet computed
        bool computing = false;
        Continuation continuation;
        std::function<std::chrono::steady_clock::time_point()> countsFrom; // countingFrom()
    };

    explicit Answer(std::shared_ptr<State> state) : m_state(std::move(state)) { }

    static bool settle(const std::shared_ptr<State> &state, Result<T> result)
    {
        Continuation continuation;
        {
            QMutexLocker lock(&state->mutex);
            if (state->result)
                return false;
            state->result.emplace(std::move(result));
            continuation = std::move(state->continuation);
            state->settled.wakeAll();
        }
        if (continuation)
            continuation(*state->result); // settled once, never changed after: read without the lock
        return true;
    }

    // Runs `done` when the answer arrives, with no deadline of its own.
    void whenSettled(Continuation done) const
    {
        State &s = *m_state;
        {
            QMutexLocker lock(&s.mutex);
            if (!s.result) {
                if (s.continuation) {
                    s.continuation = [first = std::move(s.continuation), done = std::move(done)](const Result<T> &r) {
                        first(r);
                        done(r);
                    };
                } else {
                    s.continuation = std::move(done);
                }
                return;
            }
        }
        done(*s.result);
    }

    // The answer, once computed or settled (a deferred answer another thread computes).
    Result<T> settledResult() const
    {
        State &s = *m_state;
        QMutexLocker lock(&s.mutex);
        while (!s.result)
            s.settled.wait(&s.mutex);
        return *s.result;
    }

    void computeIfDeferred() const
    {
        std::function<Result<T>()> compute;
        {
            QMutexLocker lock(&m_state->mutex);
            if (!m_state->compute || m_state->computing)
                return; // not deferred, or another thread computes it (wait() then waits for it)
            m_state->computing = true;
            compute = std::move(m_state->compute);
        }
        settle(m_state, compute());
    }

    std::shared_ptr<State> m_state;
};

} // namespace simfleet::devices
