from hub.core.retry import STANDARD_SCHEDULE, attempts_of, delay_after


def test_the_standard_schedule_is_1_min_10_min_1_h_6_h_24_h():
    assert STANDARD_SCHEDULE == (60, 600, 3600, 6 * 3600, 24 * 3600)


def test_each_failed_attempt_waits_the_next_step():
    assert [delay_after(n) for n in range(1, 7)] == [60, 600, 3600, 21600, 86400, None]


def test_a_shorter_schedule_gives_up_sooner():
    four = STANDARD_SCHEDULE[:4]
    assert [delay_after(n, four) for n in range(1, 6)] == [60, 600, 3600, 21600, None]
    assert attempts_of(four) == 5


def test_retry_after_lengthens_the_wait_up_to_the_cap():
    assert delay_after(1, retry_after=30, cap=3600) == 60  # never shorter than the step
    assert delay_after(1, retry_after=1800, cap=3600) == 1800
    assert delay_after(1, retry_after=99999, cap=3600) == 3600
    assert delay_after(5, retry_after=1, cap=3600) == 3600  # the cap bounds the step too
    assert delay_after(6, retry_after=60, cap=3600) is None  # no retry left is final


def test_webhooks_verify_send_and_websub_keep_their_attempts():
    from hub.directory.webhooks import RETRY_SCHEDULE as webhooks
    from hub.site.feeds.websub import RETRY_SCHEDULE as websub
    from hub.webmentions.send.sender import RETRY_SCHEDULE as send
    from hub.webmentions.verify.verifier import RETRY_SCHEDULE as verify

    assert [attempts_of(s) for s in (webhooks, verify, send, websub)] == [5, 5, 6, 4]
