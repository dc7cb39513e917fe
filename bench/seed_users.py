# Run inside `manage.py shell -c` by bench/stack.py: BENCH_USERS interviewers named bench001…
# One password hash is computed and shared, so seeding 1,000 users does not take minutes of
# PBKDF2; every user still logs in through the real login page with that password.
import os

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import INTERVIEWER, ensure_roles

ensure_roles()
count = int(os.environ["BENCH_USERS"])
hashed = make_password(os.environ["BENCH_PASSWORD"])
names = [f"bench{n:03d}" for n in range(1, count + 1)]
existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
User.objects.bulk_create(
    User(
        username=name,
        first_name="Bench",
        last_name=name[5:],
        email=f"{name}@example.com",
        password=hashed,
    )
    for name in names
    if name not in existing
)
group = Group.objects.get(name=INTERVIEWER)
group.user_set.add(*User.objects.filter(username__in=names))
print(f"bench users: {count}")
