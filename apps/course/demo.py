"""Demo courses and logins that `seed_demo` loads."""
from decimal import Decimal

DEMO_STUDENT = {"username": "student", "password": "luffy-student-2026", "telephone": "13800000001"}
DEMO_ADMIN = {"username": "admin", "password": "luffy-admin-2026"}

DEMO_COURSES = [
    {"name": "Python 全栈开发入门", "price": Decimal("99.00"), "level": 0, "lessons": 48,
     "teacher": "Alex", "brief": "从变量、函数到面向对象，写出第一个命令行小工具。"},
    {"name": "Django REST framework 实战", "price": Decimal("199.00"), "level": 1, "lessons": 36,
     "teacher": "Egon", "brief": "序列化、认证、权限与分页，做出一个完整的课程商城后端。"},
    {"name": "Vue 3 前端工程化", "price": Decimal("149.50"), "level": 1, "lessons": 30,
     "teacher": "Lqz", "brief": "Vite、Pinia、vue-router 与组件化开发，从零搭建单页应用。"},
    {"name": "MySQL 性能优化", "price": Decimal("129.90"), "level": 2, "lessons": 24,
     "teacher": "Wupeiqi", "brief": "索引、事务与锁，读懂执行计划，写出快而正确的 SQL。"},
    {"name": "Linux 运维基础", "price": Decimal("69.00"), "level": 0, "lessons": 20,
     "teacher": "Yuan", "brief": "常用命令、进程与服务管理、Nginx 部署上线。"},
    {"name": "Redis 与 Celery 异步任务", "price": Decimal("88.80"), "level": 1, "lessons": 16,
     "teacher": "Alex", "brief": "缓存、分布式锁与定时任务，让你的服务跑得更稳。"},
]
